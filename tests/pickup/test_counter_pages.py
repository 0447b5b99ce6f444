"""The store's counter pages and the territory owner's view, as staff use them."""

import re

import pytest

from marketplace.accounts.tables import Role
from marketplace.geo.territories import TerritoryInput, create_territory
from marketplace.pickup.tables import CustomerOrder
from tests.conftest import make_user, sign_in
from tests.matching.network import stock
from tests.pickup.test_orders import CUSTOMER, milano_point, order, reserved  # noqa: F401  (fixture)


def csrf_of(page) -> str:
    return re.search(r'name="_csrf_token" value="([^"]+)"', page.text)[1]


@pytest.fixture
async def placed(client, milano_point):  # noqa: F811
    await stock("MI", "03L 115 562", 4)
    response = await order(client, milano_point, [{"part_number": "03L115562", "quantity": 2}])
    assert response.status_code == 201
    await make_user("banco@mi.example", Role.dealer_staff, "MI")
    assert (await sign_in(client, "banco@mi.example")).status_code == 303
    return response.json()


async def test_prepare_then_hand_over_with_the_scanned_code(client, placed):
    prepare = await client.get("/pickup/orders")
    assert prepare.status_code == 200 and "Mario Rossi" in prepare.text and "03L 115 562" in prepare.text
    assert 'title="ordini da preparare">1<' in prepare.text  # the header's badge
    detail = await client.get(f"/pickup/orders/{placed['id']}")
    ready = await client.post(f"/pickup/orders/{placed['id']}/ready", data={"_csrf_token": csrf_of(detail)})
    assert ready.status_code == 303
    assert "Mario Rossi" in (await client.get("/pickup/orders", params={"tab": "ready"})).text
    # The customer shows the QR: the scanner types the code into the counter's search.
    counter = await find(client, placed["pickup_code"].lower())
    assert counter.status_code == 200 and f"/pickup/orders/{placed['id']}/collect" in counter.text
    assert "24,00" in counter.text and placed["pickup_code"] in counter.text  # the amount to take, the code filled in
    wrong = await client.post(f"/pickup/orders/{placed['id']}/collect",
                              data={"_csrf_token": csrf_of(counter), "pickup_code": "AAAAAAAA"})
    assert wrong.status_code == 422 and "restano 4 tentativi" in wrong.text
    done = await client.post(f"/pickup/orders/{placed['id']}/collect",
                             data={"_csrf_token": csrf_of(counter), "pickup_code": placed["pickup_code"],
                                   "amount": "24.00"})
    assert done.status_code == 303
    assert (await CustomerOrder.select(CustomerOrder.status).first())["status"] == "collected"
    assert "Pagato al banco" in (await client.get(done.headers["location"])).text
    assert await reserved("MI", "03L 115 562") == (2, 0)
    assert "Mario Rossi" in (await client.get("/pickup/orders", params={"tab": "collected"})).text


async def find(client, code):
    """The counter's code box: a form post (the code stays out of URLs)."""
    listing = await client.get("/pickup/orders")
    return await client.post("/pickup/orders/code", data={"_csrf_token": csrf_of(listing), "pickup_code": code})


async def test_an_unknown_code_is_said_plainly(client, placed):
    response = await find(client, placed["pickup_code"])
    assert response.status_code == 400 and "Nessun ordine pronto" in response.text  # not ready yet


async def test_another_dealer_sees_none_of_the_orders(client, placed):
    await make_user("banco@mz.example", Role.dealer_staff, "MZ")
    await sign_in(client, "banco@mz.example")
    listing = await client.get("/pickup/orders")
    assert "Mario Rossi" not in listing.text and "Nessun ordine" in listing.text
    assert (await client.get(f"/pickup/orders/{placed['id']}")).status_code == 404
    assert (await find(client, placed["pickup_code"])).status_code == 400


async def test_ready_is_refused_while_a_transfer_is_on_its_way(client, milano_point):  # noqa: F811
    await stock("BG", "RARE-1", 1)
    placed = (await order(client, milano_point, [{"part_number": "RARE-1", "quantity": 1}])).json()
    await make_user("banco@mi.example", Role.dealer_staff, "MI")
    await sign_in(client, "banco@mi.example")
    detail = await client.get(f"/pickup/orders/{placed['id']}")
    assert "in attesa di ricambi" in detail.text.lower() and "disabled" in detail.text
    refused = await client.post(f"/pickup/orders/{placed['id']}/ready", data={"_csrf_token": csrf_of(detail)})
    assert refused.status_code == 409
    assert (await CustomerOrder.select(CustomerOrder.status).first())["status"] == "placed"


async def test_the_territory_owner_sees_its_orders_and_the_referral_earned(client, milano_point):  # noqa: F811
    await create_territory(TerritoryInput("MZ", "Milano centro", True, postal_codes=["20121"]))
    await stock("MI", "03L 115 562", 4)
    placed = (await order(client, milano_point, [{"part_number": "03L115562", "quantity": 2}])).json()
    assert placed["territory_owner"] == "MZ"
    await make_user("banco@mi.example", Role.dealer_staff, "MI")
    await sign_in(client, "banco@mi.example")
    detail = await client.get(f"/pickup/orders/{placed['id']}")
    await client.post(f"/pickup/orders/{placed['id']}/ready", data={"_csrf_token": csrf_of(detail)})
    await client.post(f"/pickup/orders/{placed['id']}/collect",
                      data={"_csrf_token": csrf_of(detail), "pickup_code": placed["pickup_code"]})
    assert (await client.get("/pickup/territory")).text.count("<tbody>") == 0  # MI owns no territory
    await make_user("titolare@mz.example", Role.dealer_admin, "MZ")
    await sign_in(client, "titolare@mz.example")
    view = await client.get("/pickup/territory")
    assert view.status_code == 200 and "Ritiro Milano" in view.text and "20121" in view.text
    assert "1,20" in view.text  # 5% of 24.00
    assert "Mario Rossi" not in view.text  # the customer's contact stays with the fulfilling store
    assert (await client.get(f"/pickup/orders/{placed['id']}")).status_code == 404


async def test_the_lists_are_paged_keeping_their_tab(client, milano_point):  # noqa: F811
    await stock("MI", "03L 115 562", 120)  # one network address may hold half of them
    for n in range(51):  # from 51 customers: one may place 20 a day
        customer = {**CUSTOMER, "email": f"cliente{n}@example.com"}
        response = await order(client, milano_point, [{"part_number": "03L115562", "quantity": 1}], customer=customer)
        assert response.status_code == 201
    await make_user("banco@mi.example", Role.dealer_staff, "MI")
    await sign_in(client, "banco@mi.example")
    first = await client.get("/pickup/orders", params={"tab": "prepare"})
    assert first.text.count('href="/pickup/orders/') == 50 and 'href="?tab=prepare&amp;page=2"' in first.text
    second = await client.get("/pickup/orders", params={"tab": "prepare", "page": "2"})
    assert second.text.count('href="/pickup/orders/') == 1


async def test_orders_promised_for_an_earlier_day_show_as_late(client, placed):
    from datetime import date

    await CustomerOrder.update({CustomerOrder.promised_for: date(2026, 1, 5)}, force=True)
    listing = await client.get("/pickup/orders")
    assert "in ritardo" in listing.text and "lunedì 5 gennaio" in listing.text


async def test_a_customer_without_the_code_is_found_by_name(client, placed):
    found = await client.get("/pickup/orders", params={"tab": "prepare", "q": "rossi"})
    assert "Mario Rossi" in found.text
    assert "Mario Rossi" not in (await client.get("/pickup/orders", params={"q": "bianchi"})).text
    assert "Mario Rossi" in (await client.get("/pickup/orders", params={"q": str(placed["id"])})).text
    assert (await client.get("/pickup/orders", params={"q": "99999999999999"})).status_code == 200
    assert "Mario Rossi" in (await client.get("/pickup/orders", params={"q": "ros\x00si"})).text
