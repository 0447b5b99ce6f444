"""The customer's journey in a real headless Chromium: search the shop, choose the store by
postal code, order, confirm by the mailed link, and see the pickup code."""

from __future__ import annotations

import re

import pytest

from marketplace.pickup.points import PointInput, Schedule, create_point
from marketplace.pickup.tables import CustomerOrder
from tests.matching.network import build_network, stock

try:
    from playwright.async_api import expect
except ImportError:  # the browser fixture skips (or fails on CI) with the reason
    expect = None

EVERY_DAY = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
SCREENSHOT = "/tmp/shop-order.png"


@pytest.fixture
async def shop():
    await build_network()
    await stock("MZ", "03L 115 562", 4)
    await create_point(PointInput("MI", "Ricambi Milano Centro", "basic", "20121", "Via Larga 1", Schedule(EVERY_DAY, 30, 30)))
    await create_point(PointInput("MZ", "Ricambi Monza", "cross_selling", "20900", "Via Italia 5", Schedule(EVERY_DAY, 30, 30)))


async def test_customer_searches_chooses_a_store_by_postal_code_and_gets_the_code(browser, page, live_server, shop):
    # --- search the shop by the number printed on the old part, typed any way -------------
    await page.goto(f"{live_server}/shop")
    await expect(page.locator("#q")).to_be_focused()  # the search box has the focus: just type
    await page.keyboard.type("03l-115-562")
    await page.keyboard.press("Enter")
    await page.get_by_role("link", name="03L 115 562").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Filtro olio")

    # --- two of them in the cart ------------------------------------------------------------
    await page.get_by_label("Quantità").fill("2")
    await page.get_by_role("button", name="Aggiungi al carrello").click()
    await expect(page).to_have_url(f"{live_server}/shop/cart")
    await expect(page.locator("tfoot")).to_contain_text("24,00")

    # --- the stores near the customer's postal code: Monza holds the parts, so it is ready first ---
    await page.get_by_label("Il tuo CAP").first.fill("20121")
    await page.get_by_role("button", name="Mostra i negozi").click()
    stores = page.locator("table.points tbody tr")
    await expect(stores).to_have_count(2)
    await expect(stores.first).to_contain_text("Ricambi Milano Centro")  # nearest first
    await expect(stores.nth(1)).to_contain_text("consigliato")  # ready soonest: it holds both
    await expect(page.get_by_label(re.compile("Ricambi Monza"))).to_be_checked()
    await page.get_by_label(re.compile("Ricambi Monza")).check()

    # --- details, then the order --------------------------------------------------------------
    await page.get_by_label("Nome e cognome").fill("Giulia Verdi")
    await page.get_by_label("Email").fill("giulia@example.com")
    await page.get_by_role("button", name=re.compile("Ordina, paghi in negozio")).click()
    await expect(page).to_have_url(re.compile(r"/shop/orders/[\w-]+$"))
    order_page = page.url
    order = await CustomerOrder.select(CustomerOrder.pickup_code, CustomerOrder.total,
                                       CustomerOrder.confirm_token).first()
    await expect(page.locator("#confirm-notice")).to_contain_text("Conferma l'ordine entro 30 minuti")
    await expect(page.locator("#confirm-notice")).to_contain_text("giulia@example.com")
    await expect(page.locator("main")).to_contain_text("Ricambi Monza")
    await expect(page.get_by_role("link", name=re.compile("Carrello"))).not_to_contain_text("1")  # the cart is empty

    # --- the link in the confirmation mail: a page with the button ---------------------------
    await page.goto(f"{live_server}/shop/confirm/{order['confirm_token']}")
    await page.get_by_role("button", name="Conferma l'ordine").click()
    await expect(page).to_have_url(order_page)
    await expect(page.locator("#pickup-code")).to_have_text(order["pickup_code"])
    await expect(page.locator(".qr svg")).to_be_visible()
    await expect(page.locator("main")).to_contain_text("Ricambi Monza")
    await expect(page.locator("main")).to_contain_text("24,00")
    await page.screenshot(path=SCREENSHOT, full_page=True)


async def test_the_counter_prepares_then_hands_over_by_scanned_code(browser, page, live_server, shop):
    from marketplace.accounts.tables import Role
    from marketplace.pickup.orders import Customer, OrderRequest, place_order
    from tests.browser.test_browser_clerk import sign_in
    from tests.conftest import make_user
    from tests.pickup.test_orders import confirmed

    point = (await CustomerOrder.raw("SELECT id FROM pickup_point WHERE name = 'Ricambi Monza'"))[0]["id"]
    order_id = (await place_order(OrderRequest(Customer("Giulia Verdi", "giulia@example.com", "", "20121"),
                                               (("03L115562", 2),), point))).id
    await confirmed(order_id)  # the customer confirmed by the mailed link: the store is told
    code = (await CustomerOrder.select(CustomerOrder.pickup_code).first())["pickup_code"]
    await make_user("banco@mz.example", Role.dealer_staff, "MZ")
    await sign_in(page, live_server, "banco@mz.example")

    # --- the badge leads to the list; the order is prepared ---------------------------------
    await page.get_by_role("link", name=re.compile("Ordini dei clienti")).click()
    await expect(page.locator("table tbody tr")).to_contain_text("Giulia Verdi")
    await page.get_by_role("link", name=str(order_id), exact=True).click()
    await page.get_by_role("button", name="Pronto per il ritiro").click()
    await expect(page.locator("h1")).to_contain_text("pronto per il ritiro")

    # --- the customer at the counter: the scanner types the code into the focused box -------
    await page.get_by_role("link", name="Ordini dei clienti").first.click()
    await expect(page.locator("#pickup_code")).to_be_focused()
    await page.keyboard.type(code.lower())
    await page.keyboard.press("Enter")
    await expect(page.locator("#f-pickup_code")).to_have_value(code)
    await page.get_by_role("button", name=re.compile("Ritirato, pagati")).click()
    await expect(page.locator("h1")).to_contain_text("ritirato")
    await expect(page.locator("main")).to_contain_text("Pagato al banco")
