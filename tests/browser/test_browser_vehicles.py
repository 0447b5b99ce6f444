"""The vehicle journey in a real Chromium, on a desktop and on a 390x844 phone: a VIN typed in the
network search box -> the vehicle's groups -> a diagram -> a callout (keyboard) -> the nearest holder -> Richiedi."""

from __future__ import annotations

import re

import pytest

from marketplace.accounts.tables import Role
from marketplace.matching.tables import Transfer
from tests.browser.test_browser_login import at, sign_in_with_keyboard
from tests.conftest import PASSWORD, make_user
from tests.vehicles.catalog import GOLF_DIESEL, build_vehicle_catalog

try:
    from playwright.async_api import expect
except ImportError:  # the browser fixture skips (or fails on CI) with the reason
    expect = None

CLERK = "banco@mi.example"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
async def catalog():
    built = await build_vehicle_catalog()
    await make_user(CLERK, Role.dealer_staff, "MI")
    return built


async def no_horizontal_scroll(page) -> None:
    width = await page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url}: {width[0]} px wide in a {width[1]} px window"


async def journey(browser, base_url: str, viewport: dict | None, shot: str) -> None:
    context = await browser.new_context(locale="it-IT", viewport=viewport, is_mobile=viewport is not None,
                                        has_touch=viewport is not None)
    page = await context.new_page()
    try:
        await page.goto(f"{base_url}/login")
        await sign_in_with_keyboard(page, CLERK, PASSWORD)
        await expect(page).to_have_url(f"{base_url}/")

        # 1. the VIN, typed any way, in the same box as part numbers
        await page.goto(f"{base_url}/search")
        await page.locator("#q").fill("wvwzzzcdznw 000002")
        await page.locator("#q").press("Enter")
        await expect(page).to_have_url(at(base_url, f"/vehicles/{GOLF_DIESEL}"))
        await expect(page.locator("h1")).to_contain_text("Golf VIII")
        await no_horizontal_scroll(page)

        # 2. a group's diagram
        await page.get_by_role("link", name="Freno a disco anteriore").click()
        await expect(page).to_have_url(re.compile(rf"/vehicles/{GOLF_DIESEL}/diagrams/\d+$"))
        await expect(page.locator("figure svg a.callout")).to_have_count(3)
        await no_horizontal_scroll(page)

        # 3. a callout of the drawing, by keyboard
        callout = page.locator("figure svg a.callout").nth(2)
        await callout.focus()
        await page.keyboard.press("Enter")
        await expect(page).to_have_url(re.compile(r"\?ref=3#holders$"))
        holders = page.locator("#holders table.holders tbody tr")
        await expect(holders.first).to_contain_text("MZ ·")  # Monza, the nearest
        await expect(page.locator("#holders section.result h2")).to_contain_text("03L 115 562")  # the diesel's filter
        await no_horizontal_scroll(page)
        await page.screenshot(path=shot, full_page=True)

        # 4. Richiedi: the network search's own form and flow
        await holders.first.get_by_role("button", name="Richiedi 1").click()
        await expect(page).to_have_url(re.compile(r"/transfers/\d+$"))
        await no_horizontal_scroll(page)
    finally:
        await context.close()


async def test_the_vehicle_journey_on_a_desktop(browser, live_server, catalog):
    await journey(browser, live_server, None, "/tmp/vehicle-desktop.png")
    assert await Transfer.count() == 1


async def test_the_vehicle_journey_on_a_phone(browser, live_server, catalog):
    await journey(browser, live_server, PHONE, "/tmp/vehicle-phone.png")
    assert await Transfer.count() == 1
