"""The network manager's journey in a real headless Chromium: see the territory map, run the
month's settlement, open a dealer's statement, approve, export."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from marketplace.accounts.tables import Role
from marketplace.geo.territories import TerritoryInput, create_territory
from marketplace.settlement.ledger import EntryKind, Line, book
from tests.browser.test_browser_login import at, sign_in_with_keyboard
from tests.conftest import PASSWORD, make_user
from tests.matching.network import build_network
from tests.settlement.test_settlement import NOV

try:
    from playwright.async_api import expect
except ImportError:  # the browser fixture skips (or fails on CI) with the reason
    expect = None

MANAGER = "boss@network.example"
PERIOD = "2026-09"  # NOV of the settlement tests: a month that has ended
NBSP = "\u00a0"  # Babel puts a no-break space between the figure and the euro sign
MAP_SCREENSHOT = "/tmp/territories.png"
SETTLEMENT_SCREENSHOT = "/tmp/settlement.png"

# Three balanced transfers in September 2026 between MI, MZ and BG, with the network's fees.
TRANSFERS = [
    ("transfer:1", "MI", "MZ", Decimal("30.00")),  # MI buys from MZ
    ("transfer:2", "MZ", "BG", Decimal("12.50")),  # MZ buys from BG
    ("transfer:3", "BG", "MZ", Decimal("7.25")),   # BG buys from MZ
]
HANDLING_FEE = Decimal("2.00")


def closing_of(code: str) -> Decimal:
    """What a dealer's closing balance must be after TRANSFERS (opening 0)."""
    account = f"dealer:{code}"
    total = Decimal(0)
    for _, buyer, seller, price in TRANSFERS:
        if f"dealer:{seller}" == account:
            total += price
        if f"dealer:{buyer}" == account:
            total -= price + HANDLING_FEE
    return total


def euro(amount: Decimal) -> str:
    """Italian money format, as the pages write it: 15,50 €."""
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(amount):.2f}".replace(".", ",") + f"{NBSP}€"


@pytest.fixture
async def network():
    await build_network()
    await create_territory(TerritoryInput("MI", "Milano città", True, postal_codes=["201*"]))
    await create_territory(TerritoryInput("RM", "Roma centro", True, postal_codes=["001*"]))
    for source, buyer, seller, price in TRANSFERS:
        await book(EntryKind.transfer, source, [
            Line(f"dealer:{buyer}", "transfer_price", -price), Line(f"dealer:{seller}", "transfer_price", price),
            Line(f"dealer:{buyer}", "handling_fee", -HANDLING_FEE), Line("network", "handling_fee", HANDLING_FEE),
        ], at=NOV)
    await make_user(MANAGER, Role.network_manager)


async def test_manager_sees_the_map_settles_the_month_approves_and_exports(page, live_server, network):
    # --- keyboard sign-in ---------------------------------------------------------------
    await page.goto(f"{live_server}/login")
    await sign_in_with_keyboard(page, MANAGER, PASSWORD)
    await expect(page).to_have_url(f"{live_server}/")
    nav = page.locator("header nav")

    # --- the territory map ------------------------------------------------------------
    await nav.get_by_role("link", name="Territori", exact=True).click()
    await expect(page).to_have_url(at(live_server, "/network/territories"))
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Territori")
    await expect(nav.get_by_role("link", name="Territori", exact=True)).to_have_attribute("aria-current", "page")
    svg = page.locator("figure.map svg.territory-map")
    await expect(svg).to_be_visible()
    await expect(svg).to_have_attribute("aria-label", re.compile(r"^Territori al \d{4}-\d{2}-\d{2}$"))
    areas = svg.locator("path.territory")
    await expect(areas).to_have_count(2)
    await expect(areas.locator("title")).to_have_text(["MI · Milano città · esclusivo", "RM · Roma centro · esclusivo"])
    for code in ("MI", "RM"):
        assert await areas.filter(has=page.locator("title", has_text=f"{code} · ")).get_attribute("d")
    await expect(svg.locator("circle.dealer")).to_have_count(6)  # every active dealer of the network
    await expect(svg.locator("circle.dealer title", has_text="MZ · ")).to_have_count(1)
    await expect(svg.locator(".conflict")).to_have_count(0)

    rows = page.locator("section.scroll table tbody tr")
    await expect(rows).to_have_count(2)
    await expect(rows.nth(0)).to_contain_text("MI")
    await expect(rows.nth(0)).to_contain_text("Milano città")
    await expect(rows.nth(0)).to_contain_text("esclusivo")
    await expect(rows.nth(1)).to_contain_text("RM")
    await expect(rows.nth(1)).to_contain_text("Roma centro")
    await expect(page.get_by_role("alert")).to_have_count(0)  # no overlap banner
    await page.screenshot(path=MAP_SCREENSHOT, full_page=True)

    # --- run the month's settlement ---------------------------------------------------
    await nav.get_by_role("link", name="Liquidazioni", exact=True).click()
    await expect(page).to_have_url(at(live_server, "/settlements"))
    month = page.get_by_label("Mese")
    await expect(month).to_be_focused()
    await month.fill(PERIOD)
    await page.get_by_role("button", name="Calcola la liquidazione").click()

    detail_url = f"{live_server}/settlements/{PERIOD}"
    await expect(page).to_have_url(detail_url)
    status = page.locator("h1 .status")
    await expect(status).to_have_text("bozza")
    await expect(page.get_by_role("link", name="CSV dei pagamenti")).to_have_count(0)  # not while a draft

    tables = page.locator("main table")
    payments, statements = tables.nth(0), tables.nth(1)
    balances = {code: closing_of(code) for code in ("MI", "MZ", "BG")}
    balances_network = HANDLING_FEE * len(TRANSFERS)
    assert sum(balances.values()) + balances_network == 0
    payment_rows = payments.locator("tbody tr")
    # Central clearing: MI is collected from, MZ paid; BG's 3.25 is under the EUR 10 minimum: carried.
    await expect(payment_rows).to_have_count(2)
    await expect(payment_rows.nth(0)).to_contain_text("addebito diretto SEPA B2B")
    paid = Decimal(0)
    for text in await payment_rows.locator("td.num").all_inner_texts():
        paid += Decimal(text.replace(f"{NBSP}€", "").replace(".", "").replace(",", "."))
    assert paid == -balances["MI"] + balances["MZ"] and balances["BG"] == Decimal("3.25")

    statement_rows = statements.locator("tbody tr")
    await expect(statement_rows).to_have_count(4)  # three dealers and the network
    mz_row = statement_rows.filter(has=page.locator("td", has_text=re.compile(r"^MZ · Dealer MZ$")))
    await expect(mz_row.locator("td.num").nth(2)).to_have_text(euro(balances["MZ"]))
    await page.screenshot(path=SETTLEMENT_SCREENSHOT, full_page=True)

    # --- one dealer's statement -------------------------------------------------------
    await mz_row.get_by_role("link", name="Estratto conto").click()
    await expect(page).to_have_url(f"{live_server}/settlements/{PERIOD}/statements/dealer:MZ")
    await expect(page.get_by_role("heading", level=1)).to_have_text(f"Estratto conto · MZ · Dealer MZ · {PERIOD}")
    summary = page.locator("table.summary")
    await expect(summary.locator("tr", has_text="Saldo finale").locator("td.num")).to_have_text(euro(balances["MZ"]))
    assert euro(balances["MZ"]) == f"22,75{NBSP}€"  # 30.00 + 7.25 - 12.50 - 2.00
    await expect(summary.locator("tr", has_text="Saldo iniziale").locator("td.num")).to_have_text(f"0,00{NBSP}€")
    await expect(page.locator("main table:not(.summary) tbody tr")).to_have_count(4)  # MZ's lines in the three transfers

    # --- approve, then export ---------------------------------------------------------
    await page.go_back()
    await expect(page).to_have_url(detail_url)
    await page.get_by_role("button", name="Approva e blocca").click()
    await expect(page).to_have_url(detail_url)
    await expect(status).to_have_text("approvata")
    await expect(page.get_by_role("button", name="Approva e blocca")).to_have_count(0)
    await expect(page.get_by_role("button", name="Ricalcola")).to_have_count(0)

    await page.get_by_role("button", name="Segna come esportata").click()
    await expect(page).to_have_url(detail_url)
    await expect(status).to_have_text("esportata")
    await expect(page.get_by_role("button", name="Segna come esportata")).to_have_count(0)

    # --- the payments CSV, as the manager's browser fetches it ----------------------------
    link = page.get_by_role("link", name="CSV dei pagamenti")
    await expect(link).to_be_visible()
    href = await link.get_attribute("href")
    response = await page.request.get(f"{live_server}{href}")  # same cookies as the page
    assert response.status == 200, (
        f"GET {href} with the manager's session answered {response.status}: {await response.text()}")
    header = "Pagatore;Partita IVA pagatore;Beneficiario;Partita IVA beneficiario;Modalità;Importo (EUR)"
    assert (await response.text()).lstrip("\ufeff").splitlines()[0] == header
    async with page.expect_download() as download_info:
        await link.click()
    download = await download_info.value
    assert await download.failure() is None
    with open(await download.path(), encoding="utf-8-sig") as csv:
        assert csv.readline().strip() == header
