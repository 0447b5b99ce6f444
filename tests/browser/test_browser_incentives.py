"""A dealer's incentives page in a real headless Chromium: from the menu, the month chosen with
the keyboard, the plain-Italian explanation and the ladder of thresholds; it fits a 390 px phone."""

from __future__ import annotations

import pytest

from marketplace.accounts.tables import Role
from marketplace.settlement.settlements import compute
from tests.browser.test_browser_login import at, sign_in_with_keyboard
from tests.conftest import PASSWORD, make_user
from tests.incentives.example import build_month

try:
    from playwright.async_api import expect
except ImportError:  # the browser fixture skips (or fails on CI) with the reason
    expect = None

ADMIN = "admin@d0012.example"
NBSP = "\u00a0"


@pytest.fixture
async def month():
    await build_month()
    await compute("2026-10")
    await make_user(ADMIN, Role.dealer_admin, "D0012")


async def test_a_dealer_reads_its_incentives(page, live_server, month):
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.goto(f"{live_server}/login")
    await sign_in_with_keyboard(page, ADMIN, PASSWORD)
    await expect(page).to_have_url(f"{live_server}/")
    await page.locator("header nav").get_by_role("link", name="I miei incentivi", exact=True).click()
    await expect(page).to_have_url(at(live_server, "/incentives"))
    await expect(page.get_by_role("heading", level=1)).to_contain_text("I miei incentivi")

    month_field = page.get_by_role("textbox", name="Mese")
    await month_field.focus()
    await month_field.fill("2026-10")
    await month_field.press("Enter")
    await expect(page).to_have_url(f"{live_server}/incentives?period=2026-10")

    said = page.locator("ul.said li")
    await expect(said).to_have_text([
        f"I tuoi ordini online di 3.760,00{NBSP}€ questo mese ti danno lo sconto del 5% sulle commissioni della rete",
        f"Ti mancano 1.240,00{NBSP}€ di ordini online per lo sconto del 10%",
        f"Sconto accreditato sull'estratto conto del mese: 0,10{NBSP}€",
    ])
    ladder = page.locator("section table").first.locator("tbody tr")
    await expect(ladder).to_have_count(3)
    await expect(ladder.nth(0)).to_contain_text("raggiunta")
    await expect(ladder.nth(1)).to_contain_text(f"mancano 1.240,00{NBSP}€")
    await expect(page.get_by_text("Sconto progressivo", exact=True)).to_be_visible()
    await page.screenshot(path="/tmp/incentives.png", full_page=True)
    # Nothing wider than the phone.
    wide = await page.evaluate("""[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > 391)
        .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).slice(0, 8)""")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390, wide
