"""The network pulse in a real headless Chromium: the manager's home is the dashboard with its
charts and map, the table sorts on the server, and a dealer's scorecard opens with its charts."""

from __future__ import annotations

import pytest

from marketplace.accounts.tables import Role
from marketplace.pulse.rollup import refresh
from tests.browser.test_browser_login import at, sign_in_with_keyboard
from tests.conftest import PASSWORD, make_user
from tests.pulse.example import build_month

try:
    from playwright.async_api import expect
except ImportError:  # the browser fixture skips (or fails on CI) with the reason
    expect = None

MANAGER = "boss@network.example"
SCREENSHOT = "/tmp/pulse.png"


@pytest.fixture
async def month():
    built = await build_month()
    await refresh("2026-10")
    await make_user(MANAGER, Role.network_manager)
    await make_user("admin@d001.example", Role.dealer_admin, "D001")
    return built


async def test_the_dashboard_and_a_scorecard_render_with_their_charts(page, live_server, month):
    await page.goto(f"{live_server}/login")
    await sign_in_with_keyboard(page, MANAGER, PASSWORD)
    await expect(page).to_have_url(f"{live_server}/")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Il polso della rete")

    await page.goto(f"{live_server}/pulse?period=2026-10")
    charts = page.locator("svg.pulse-chart")
    assert await charts.count() >= 4  # hours saved, fill rate, aged stock, money
    for i in range(await charts.count()):
        await expect(charts.nth(i)).to_be_visible()
        box = await charts.nth(i).bounding_box()
        assert box["width"] > 200 and box["height"] > 60
    await expect(page.locator("svg.territory-map")).to_be_visible()
    assert await page.locator("svg.territory-map circle.dealer").count() == 4
    await expect(page.locator(".pulse-cards")).to_contain_text("17 min")

    # Sort by fill rate, best first, on the server: D001 (40%) leads.
    await page.locator("table.pulse-table th a", has_text="Tasso di evasione").click()
    await expect(page).to_have_url(at(live_server, "/pulse"))
    assert "sort=fill_rate" in page.url
    await expect(page.locator("table.pulse-table tbody tr").first).to_contain_text("D001")
    await page.screenshot(path=SCREENSHOT, full_page=True)

    await page.locator("table.pulse-table a", has_text="D001").click()
    await expect(page).to_have_url(at(live_server, "/pulse/dealers/D001"))
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Scheda D001")
    assert await page.locator("svg.pulse-chart").count() >= 3
    await expect(page.locator("svg.pulse-chart").first).to_be_visible()
    assert await page.locator("script").count() == 0 or await page.locator("svg script").count() == 0
