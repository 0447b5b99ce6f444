"""Anonymous customers cannot hold the network's stock hostage: an order holds its parts briefly
until the customer confirms it by the mailed link (the store hears of it only then), customers
whose orders went uncollected are refused, and no one customer holds more than a share of a part."""

import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from marketplace.errors import Conflict
from marketplace.network.directory import forget as forget_directory
from marketplace.network.tables import NetworkSettings
from marketplace.outbox.delivery import deliver_pending
from marketplace.outbox.mailers import MailFolder
from marketplace.outbox.tables import OutboxMessage
from marketplace.pickup.lifecycle import confirm_order, expire_uncollected
from marketplace.pickup.orders import Customer, OrderRequest, place_order
from marketplace.pickup.tables import CustomerOrder
from marketplace.settings import get_settings
from tests.conftest import csrf_token
from tests.matching.network import key_of, stock
from tests.outbox.mail import body, milano_staff, sent
from tests.pickup.test_orders import CUSTOMER, confirmed, milano_point, order, reserved  # noqa: F401

ITEM = [{"part_number": "03L115562", "quantity": 1}]


def auth(key):
    return {"Authorization": f"Bearer {key}"}


async def topics() -> list[str]:
    return [row["topic"] for row in await OutboxMessage.select(OutboxMessage.topic).order_by(OutboxMessage.id)]


async def unconfirmed(client, point, items=ITEM, customer=CUSTOMER) -> dict:
    response = await order(client, point, items, customer=customer, confirm=False)
    assert response.status_code == 201, response.text
    return response.json()


async def test_the_store_hears_of_an_order_only_once_the_customer_confirms_it(client, milano_point, tmp_path):
    await stock("MI", "03L 115 562", 10)
    await milano_staff()
    placed = await unconfirmed(client, milano_point)
    assert placed["status"] == "unconfirmed" and await topics() == ["order.placed"]  # no order.new

    # The customer's mail carries the confirmation link; the store gets nothing.
    await deliver_pending(MailFolder(tmp_path))
    [mail] = sent(tmp_path)
    row = await CustomerOrder.select(CustomerOrder.confirm_token).first()
    assert mail["To"].addresses[0].addr_spec == "mario@example.com"
    assert f"{get_settings().base_url}/shop/confirm/{row['confirm_token']}" in body(mail)
    assert "Conferma l'ordine entro 30 minuti" in body(mail)

    # The counter sees nothing: no list entry, no badge, no page; the staff API finds no order.
    staff = await key_of("MI")
    assert (await client.post(f"/api/v1/orders/{placed['id']}/ready", headers=auth(staff))).status_code == 404
    from tests.conftest import sign_in
    await sign_in(client, "counter@mi.example")
    listing = await client.get("/pickup/orders")
    assert f'href="/pickup/orders/{placed["id"]}"' not in listing.text
    assert (await client.get(f"/pickup/orders/{placed['id']}")).status_code == 404

    assert await confirm_order(row["confirm_token"]) == (await CustomerOrder.select(CustomerOrder.token).first())["token"]
    assert await topics() == ["order.placed", "order.new"]
    listing = await client.get("/pickup/orders")
    assert f'href="/pickup/orders/{placed["id"]}"' in listing.text
    assert await confirm_order(row["confirm_token"])  # a second click is harmless
    assert await topics() == ["order.placed", "order.new"]
    assert (await client.post(f"/api/v1/orders/{placed['id']}/ready", headers=auth(staff))).status_code == 200


async def test_an_unconfirmed_order_expires_after_the_short_hold_and_releases_its_stock(client, milano_point,
                                                                                         tmp_path):
    await stock("MI", "03L 115 562", 10)
    late = await unconfirmed(client, milano_point)
    kept = (await order(client, milano_point, ITEM, customer={**CUSTOMER, "email": "anna@example.com"})).json()
    assert await reserved("MI", "03L 115 562") == (10, 2)
    now = datetime.now(timezone.utc)
    assert await expire_uncollected(now + timedelta(minutes=29)) == 0  # still within its 30 minutes
    assert await expire_uncollected(now + timedelta(minutes=31)) == 1
    statuses = {r["id"]: r["status"] for r in await CustomerOrder.select(CustomerOrder.id, CustomerOrder.status)}
    assert statuses == {late["id"]: "expired", kept["id"]: "placed"}
    assert await reserved("MI", "03L 115 562") == (10, 1)
    assert "order.lapsed" in await topics()  # the customer is told it was not confirmed (not "not collected")
    await deliver_pending(MailFolder(tmp_path))
    [lapsed] = [m for m in sent(tmp_path) if m["X-Outbox-Topic"] == "order.lapsed"]
    assert "non confermato" in lapsed["Subject"] and "non è stato confermato in tempo" in body(lapsed)
    token = (await CustomerOrder.select(CustomerOrder.confirm_token).where(CustomerOrder.id == late["id"]).first())
    shop = await client.get(f"/shop/confirm/{token['confirm_token']}")
    csrf = re.search(r'name="_csrf_token" value="([^"]+)"', shop.text)
    refused = await client.post(f"/shop/confirm/{token['confirm_token']}",
                                data={"_csrf_token": csrf[1] if csrf else await csrf_token(client, "/shop")})
    assert refused.status_code == 409 and "non può più essere confermato" in refused.text


async def test_confirming_after_the_deadline_is_refused(client, milano_point):
    await stock("MI", "03L 115 562", 10)
    await unconfirmed(client, milano_point)
    row = await CustomerOrder.select(CustomerOrder.confirm_token).first()
    with pytest.raises(Conflict):
        await confirm_order(row["confirm_token"], now=datetime.now(timezone.utc) + timedelta(minutes=31))
    assert (await client.get("/shop/confirm/not-a-token")).status_code == 404


async def test_the_short_hold_is_a_network_setting(client, milano_point):
    await stock("MI", "03L 115 562", 10)
    await NetworkSettings.update({NetworkSettings.order_confirm_minutes: 10}, force=True)
    forget_directory()
    await unconfirmed(client, milano_point)
    row = await CustomerOrder.select(CustomerOrder.created_at, CustomerOrder.confirm_by, CustomerOrder.token).first()
    assert timedelta(minutes=9) < row["confirm_by"] - row["created_at"] <= timedelta(minutes=10)
    assert "Conferma l&#39;ordine entro 10 minuti" in (await client.get(f"/shop/orders/{row['token']}")).text


async def expired_uncollected(days_ago: int, email: str = CUSTOMER["email"], confirmed_order: bool = True) -> None:
    """An order of this customer's that expired uncollected ``days_ago`` (or lapsed unconfirmed)."""
    when = datetime.now(timezone.utc) - timedelta(days=days_ago)
    await CustomerOrder.insert(CustomerOrder(
        pickup_point=(await CustomerOrder.raw("SELECT id FROM pickup_point LIMIT 1"))[0]["id"],
        customer_name="Mario Rossi", customer_email=email, customer_postal_code="20121", status="expired",
        pickup_code="ACDEFGHJ", token=f"t{days_ago}{confirmed_order}", total=Decimal("12.00"),
        confirmed_at=when if confirmed_order else None, updated_at=when, created_at=when))


async def test_a_customer_whose_orders_went_uncollected_twice_in_90_days_is_refused(client, milano_point):
    await stock("MI", "03L 115 562", 10)
    await expired_uncollected(100)  # too long ago
    await expired_uncollected(5, confirmed_order=False)  # lapsed unconfirmed: held the stock minutes only
    await expired_uncollected(40)
    assert (await order(client, milano_point, ITEM)).status_code == 201  # one strike
    await expired_uncollected(10)
    refused = await order(client, milano_point, ITEM, customer={**CUSTOMER, "email": "Mario@Example.com"})
    assert refused.status_code == 403 and refused.json()["field"] == "customer.email"
    assert "not collected" in refused.json()["detail"]
    assert await reserved("MI", "03L 115 562") == (10, 1)
    # The shop says why, in Italian.
    token = await csrf_token(client, "/shop/parts/03L115562")
    await client.post("/shop/cart", data={"part_number": "03L115562", "quantity": "1", "action": "add",
                                          "_csrf_token": token})
    cart = await client.get("/shop/cart", params={"postal_code": "20121"})
    csrf = re.search(r'name="_csrf_token" value="([^"]+)"', cart.text)[1]
    page = await client.post("/shop/checkout", data={
        "_csrf_token": csrf, "pickup_point_id": str(milano_point), "name": "Mario Rossi", "email": "mario@example.com",
        "customer_postal_code": "20121", "postal_code": "20121"})
    assert page.status_code == 403 and "non sono stati ritirati" in page.text
    assert await reserved("MI", "03L 115 562") == (10, 1)


async def test_one_email_holds_at_most_half_of_a_parts_network_availability(client, milano_point):
    await stock("MI", "03L 115 562", 6)
    await stock("BG", "03L 115 562", 4)  # 10 in the network
    too_many = await order(client, milano_point, [{"part_number": "03L115562", "quantity": 6}])
    assert too_many.status_code == 409 and too_many.json()["field"] == "items"
    assert too_many.json()["share_limit"] == 5 and await CustomerOrder.count() == 0
    assert (await order(client, milano_point, [{"part_number": "03L115562", "quantity": 3}])).status_code == 201
    # Across orders (from another network address, so only the email counts): 3 held, 2 more at most.
    with pytest.raises(Conflict) as more:
        await place_order(request_of(CUSTOMER, 3, milano_point), client_ip="203.0.113.9")
    assert more.value.extra["share_limit"] == 2
    # Another customer orders from the half that is left.
    await place_order(request_of({**CUSTOMER, "email": "anna@example.com"}, 3, milano_point), client_ip="203.0.113.9")
    assert await reserved("MI", "03L 115 562") == (6, 6)


def request_of(customer: dict, quantity: int, point: int) -> OrderRequest:
    return OrderRequest(Customer(customer["name"], customer["email"], customer["phone"], customer["postal_code"]),
                        (("03L115562", quantity),), point)


async def test_one_network_address_holds_at_most_half_whatever_the_email(client, milano_point):
    await stock("MI", "03L 115 562", 4)
    for n in range(2):
        customer = {**CUSTOMER, "email": f"cliente{n}@example.com"}
        assert (await order(client, milano_point, ITEM, customer=customer)).status_code == 201
    third = await order(client, milano_point, ITEM, customer={**CUSTOMER, "email": "cliente3@example.com"})
    assert third.status_code == 409 and third.json()["share_limit"] == 0
    assert await reserved("MI", "03L 115 562") == (4, 2)


async def test_the_last_unit_of_a_rare_part_can_still_be_sold(client, milano_point):
    await stock("MI", "03L 115 562", 1)
    assert (await order(client, milano_point, ITEM)).status_code == 201
