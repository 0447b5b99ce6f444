"""The pickup code belongs to the customer: staff never read it, guessing it at the counter is counted."""

import pytest

from marketplace.accounts.tables import Role
from marketplace.network.tables import Dealer
from marketplace.pickup.tables import CustomerOrder
from tests.conftest import make_key, make_user, sign_in
from tests.matching.network import key_of, stock
from tests.pickup.test_counter_pages import csrf_of, find
from tests.pickup.test_orders import milano_point, order  # noqa: F401  (fixture)


def auth(key):
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
async def placed(client, milano_point):  # noqa: F811
    await stock("MI", "03L 115 562", 4)
    response = await order(client, milano_point, [{"part_number": "03L115562", "quantity": 1}])
    assert "pickup_code" in response.json()  # the customer's own answer carries it
    return response.json()


async def test_no_staff_answer_carries_the_pickup_code(client, placed):
    staff, manager = await key_of("MI"), await make_key(Role.network_manager)
    ready = await client.post(f"/api/v1/orders/{placed['id']}/ready", headers=auth(staff))
    assert ready.status_code == 200 and "pickup_code" not in ready.json() and placed["pickup_code"] not in ready.text
    for _ in range(5):
        await client.post(f"/api/v1/orders/{placed['id']}/collect", headers=auth(staff), json={"pickup_code": "WRONG123"})
    unlocked = await client.post(f"/api/v1/orders/{placed['id']}/unlock", headers=auth(manager))
    assert unlocked.status_code == 200 and placed["pickup_code"] not in unlocked.text
    cancelled = await client.post(f"/api/v1/orders/{placed['id']}/cancel", headers=auth(staff))
    assert cancelled.status_code == 200 and placed["pickup_code"] not in cancelled.text
    schema = (await client.get("/schema/openapi.json")).json()["components"]["schemas"]
    assert "pickup_code" not in schema["StaffOrderOut"]["properties"]


async def test_a_counter_clerk_cannot_cancel_a_customer_order(client, placed):
    mi = (await Dealer.select(Dealer.id).where(Dealer.code == "MI").first())["id"]
    clerk_key = await make_key(Role.dealer_staff, mi)
    assert (await client.post(f"/api/v1/orders/{placed['id']}/cancel", headers=auth(clerk_key))).status_code == 403
    await make_user("banco@mi.example", Role.dealer_staff, "MI")
    await sign_in(client, "banco@mi.example")
    detail = await client.get(f"/pickup/orders/{placed['id']}")
    page = await client.post(f"/pickup/orders/{placed['id']}/cancel", data={"_csrf_token": csrf_of(detail)})
    assert page.status_code == 403
    assert (await CustomerOrder.select(CustomerOrder.status).first())["status"] != "cancelled"


async def test_the_counter_lookup_counts_misses_and_keeps_the_code_out_of_urls(client, placed):
    await client.post(f"/api/v1/orders/{placed['id']}/ready", headers=auth(await key_of("MI")))
    await make_user("banco@mi.example", Role.dealer_staff, "MI")
    await sign_in(client, "banco@mi.example")
    found = await find(client, placed["pickup_code"])
    assert found.status_code == 200 and "location" not in found.headers
    for _ in range(5):
        assert (await find(client, "ZZZZZZZZ")).status_code == 400
    throttled = await find(client, placed["pickup_code"])
    assert throttled.status_code == 429 and "Troppi codici" in throttled.text
    listing = await client.get("/pickup/orders")
    assert 'action="/pickup/orders/code"' in listing.text and 'method="post" action="/pickup/orders/code"' in listing.text


async def test_a_locked_order_is_not_found_by_its_code(client, placed):
    staff = await key_of("MI")
    await client.post(f"/api/v1/orders/{placed['id']}/ready", headers=auth(staff))
    await CustomerOrder.update({CustomerOrder.code_failures: 5}, force=True)
    await make_user("banco@mi.example", Role.dealer_staff, "MI")
    await sign_in(client, "banco@mi.example")
    assert (await find(client, placed["pickup_code"])).status_code == 400
