"""The zone agent's journey in a real headless Chromium: its page (ranking, alerts), acting for one
of its dealers and back, the week's call list; on a 390 px phone too."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from marketplace.network.tables import Dealer
from tests.agents.helpers import make_agent
from tests.browser.test_browser_login import at, sign_in_with_keyboard
from tests.conftest import PASSWORD
from tests.matching.network import build_network, stock

try:
    from playwright.async_api import expect
except ImportError:  # the browser fixture skips (or fails on CI) with the reason
    expect = None

AGENT = "agente.mi@network.example"
SCREENSHOT = "/tmp/agent.png"


@pytest.fixture
async def agent_account():
    await build_network()
    await stock("MZ", "03L 115 562", 5)
    # MI has been silent for 20 days: inactive, its feed stale.
    await Dealer.update({Dealer.last_feed_at: datetime.now(timezone.utc) - timedelta(days=20)}).where(
        Dealer.code == "MI")
    return await make_agent(AGENT, ["MI", "MZ"])


async def test_agent_page_act_for_a_dealer_and_the_call_list(browser, live_server, agent_account):
    context = await browser.new_context(locale="it-IT", viewport={"width": 390, "height": 844})
    page = await context.new_page()
    try:
        await page.goto(f"{live_server}/login")
        await sign_in_with_keyboard(page, AGENT, PASSWORD)
        await expect(page).to_have_url(f"{live_server}/")
        await page.get_by_role("link", name="I miei concessionari").click()
        await expect(page).to_have_url(at(live_server, f"/agents/{agent_account}"))
        await expect(page.get_by_role("heading", name="Classifica di adozione")).to_be_visible()
        rows = page.locator("#ranking tbody tr")
        await expect(rows).to_have_count(2)
        await expect(rows.first).to_contain_text("MI")
        await expect(page.get_by_role("heading", name="Da seguire")).to_be_visible()
        # A 390 px phone: the page itself does not scroll sideways (the table scrolls in its box).
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width
        await page.screenshot(path=SCREENSHOT, full_page=True)

        # Act for MZ with the keyboard: focus its button and press Enter.
        button = page.get_by_role("button", name="Agisci per MZ")
        await button.focus()
        await page.keyboard.press("Enter")
        await expect(page).to_have_url(f"{live_server}/")
        await expect(page.get_by_role("status")).to_contain_text("Stai lavorando come")
        await page.goto(f"{live_server}/search?q=03L+115+562")
        await expect(page.locator("main")).to_contain_text("03L 115 562")
        await page.get_by_role("button", name="Torna ai miei concessionari").click()
        await expect(page).to_have_url(at(live_server, f"/agents/{agent_account}"))
        await expect(page.get_by_role("status")).to_have_count(0)
        actions = page.get_by_role("heading", name="Ultime azioni per i tuoi concessionari")
        await expect(actions).to_be_visible()
        await expect(page.locator("main")).to_contain_text("ha aperto la tua vista")
        await expect(page.locator("main")).to_contain_text("ha cercato nella rete")

        await page.get_by_role("link", name="Chiamate della settimana").click()
        await expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"Chiamate, settimana \d+"))
        # MI: silent for 20 days; MZ: no online volume this month, under its tier's target.
        await expect(page.locator("#calls tbody tr")).to_have_count(2)
        await expect(page.locator("#calls tbody tr").first).to_contain_text("inattivo da 14 giorni")
        await expect(page.locator("#calls tbody")).to_contain_text("sotto gli obiettivi")
        await expect(page.get_by_role("link", name="Scarica CSV")).to_be_visible()
    finally:
        await context.close()
