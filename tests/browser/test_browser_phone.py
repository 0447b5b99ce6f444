"""The counter on a 390 x 844 phone: search (numbers, words, a list), my stock, the cart, the
transfers, a transfer, the history and the customer orders, none scrolling sideways; a list
requested all at once from the nearest without leaving the page."""

from __future__ import annotations

import re

import pytest

from marketplace.accounts.tables import Role
from marketplace.inventory.catalog import import_catalog
from marketplace.matching.tables import Transfer
from marketplace.pickup.points import PointInput, Schedule, create_point
from tests.browser.test_browser_login import sign_in_with_keyboard
from tests.conftest import PASSWORD, make_user
from tests.matching.network import build_network, stock

try:
    from playwright.async_api import expect
except ImportError:  # the browser fixture skips (or fails on CI) with the reason
    expect = None

PHONE = {"width": 390, "height": 844}
EVERY_DAY = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
LONG = ("part_number,description,list_price\n"
        "WHT-0004-7788-AB12,Kit distribuzione completo con pompa acqua e tendicinghia per motori 2.0 TDI,320.00\n")


@pytest.fixture
async def network():
    await build_network()
    await import_catalog(LONG.encode())
    await stock("MZ", "03L 115 562", 5, "9.90")
    await stock("RM", "03L 115 562", 5, "9.00")
    await stock("BG", "5Q0 615 301 F", 3, "70.00")
    await stock("TO", "WHT-0004-7788-AB12", 2, "250.00")
    await stock("MI", "WHT-0004-7788-AB12", 1, "250.00")
    await create_point(PointInput("MI", "Ricambi Milano Centro", "basic", "20121", "Via Larga 1", Schedule(EVERY_DAY, 30, 30)))
    await make_user("clerk@mi.example", Role.dealer_staff, "MI")


async def fits(page, what: str) -> None:
    """No horizontal scrolling: the document is no wider than the screen."""
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{what}: {width} px wide on a {PHONE['width']} px screen"


async def test_counter_pages_fit_a_390_px_phone_and_a_list_is_requested_in_one_click(browser, live_server, network):
    context = await browser.new_context(locale="it-IT", viewport=PHONE, is_mobile=True, has_touch=True)
    page = await context.new_page()
    try:
        await page.goto(f"{live_server}/login")
        await sign_in_with_keyboard(page, "clerk@mi.example", PASSWORD)
        await expect(page).not_to_have_url(re.compile("/login"))
        await page.goto(f"{live_server}/search")
        await page.locator("#q").fill("03L 115 562\n5Q0 615 301 F\nWHT-0004-7788-AB12\nkit distribuzione\n03L 115 563")
        await page.get_by_role("button", name="Cerca").click()
        await expect(page.locator("#plan")).to_contain_text("Richiedi tutto dal più vicino")
        await expect(page.locator("#results")).to_contain_text("Forse cercavi")
        await fits(page, "search results of a list")
        # code never wraps: one line high
        code = page.locator("section.result h2 code", has_text="WHT-0004-7788-AB12").first
        box = await code.bounding_box()
        assert box["height"] < 30 and box["x"] + box["width"] <= PHONE["width"]
        # Untick the long kit: the total follows, then one click requests the rest.
        total = page.locator("#plan [data-total]")
        before = await total.text_content()
        await page.get_by_role("checkbox", name="WHT-0004-7788-AB12").uncheck()
        await expect(total).not_to_have_text(before)
        await page.locator("#plan").get_by_role("button", name="Richiedi tutto dal più vicino").click()
        await expect(page.locator(".banner.ok")).to_contain_text("2 trasferimenti richiesti")
        await expect(page.locator("#q")).to_have_value("03L 115 562\n5Q0 615 301 F\nWHT-0004-7788-AB12\nkit distribuzione\n03L 115 563")
        await expect(page.locator("#plan")).to_contain_text("già richiesto oggi")
        assert await Transfer.count() == 2
        await fits(page, "the list after the request")
        await Transfer.update({Transfer.status: "received"}, force=True)
        # A line in the cart, so the cart's table is there to fit.
        await page.goto(f"{live_server}/shop/parts/03L%20115%20562")
        await page.get_by_role("button", name="Aggiungi al carrello").click()
        await expect(page.locator("main table")).to_contain_text("03L 115 562")
        await fits(page, "the cart with a line")
        for path in ("/stock", "/shop/cart", "/transfers?direction=outgoing", "/transfers/1", "/history",
                     "/pickup/orders", "/search?q=filtro+olio"):
            await page.goto(f"{live_server}{path}")
            await fits(page, path)
        await page.screenshot(path="/tmp/phone-history.png", full_page=True)
        # Riordina from the phone: one tap.
        await page.goto(f"{live_server}/history")
        await page.get_by_role("button", name="Riordina").first.click()
        await expect(page.locator(".banner.ok")).to_contain_text("Trasferimento 3 richiesto")
    finally:
        await context.close()
