"""After an order is placed: ready, collected with its code (ledger lines), cancelled, expired."""

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from marketplace.accounts.tables import Role
from marketplace.errors import Conflict
from marketplace.inventory.tables import StockItem
from marketplace.matching.tables import Transfer
from marketplace.pickup.lifecycle import cancel, expire_uncollected
from marketplace.pickup.tables import CustomerOrder
from marketplace.settlement.tables import LedgerLine
from tests.conftest import make_key
from tests.matching.network import key_of, stock
from tests.pickup.test_orders import milano_point, order, reserved  # noqa: F401  (fixture)


@pytest.fixture
async def placed(client, milano_point):  # noqa: F811
    await stock("MI", "03L 115 562", 4)
    response = await order(client, milano_point, [{"part_number": "03L115562", "quantity": 2}])
    return response.json()


def auth(key):
    return {"Authorization": f"Bearer {key}"}


async def test_ready_then_collected_with_the_code_writes_the_ledger(client, placed):
    staff = await key_of("MI")
    ready = await client.post(f"/api/v1/orders/{placed['id']}/ready", headers=auth(staff))
    assert ready.status_code == 200 and ready.json()["status"] == "ready_for_pickup"
    wrong = await client.post(f"/api/v1/orders/{placed['id']}/collect", json={"pickup_code": "AAAAAAAA"},
                              headers=auth(staff))
    assert wrong.status_code == 422 and wrong.json()["field"] == "pickup_code"
    done = await client.post(f"/api/v1/orders/{placed['id']}/collect",
                             json={"pickup_code": placed["pickup_code"].lower()}, headers=auth(staff))
    assert done.status_code == 200 and done.json()["status"] == "collected"
    assert await reserved("MI", "03L 115 562") == (2, 0)
    lines = {(r["account"], r["kind"]): r["amount"] for r in await LedgerLine.select(
        LedgerLine.account, LedgerLine.kind, LedgerLine.amount)}
    # The cash is in MI's till: MI owes it (the network's and the other parties' shares).
    assert lines[("dealer:MI", "customer_payment")] == Decimal("-24.00")
    assert lines[("network", "referral")] == Decimal("1.20")  # no territory owner: the network's holding queue
    assert lines[("network", "platform_fee")] == Decimal("0.72")
    assert lines[("dealer:MI", "pickup_fee")] == Decimal("0.80")
    assert lines[("dealer:MI", "sale")] == Decimal("21.28")
    assert sum(lines.values()) == 0


async def test_wrong_codes_are_rate_limited(client, placed):
    staff = await key_of("MI")
    await client.post(f"/api/v1/orders/{placed['id']}/ready", headers=auth(staff))
    for _ in range(5):
        response = await client.post(f"/api/v1/orders/{placed['id']}/collect", json={"pickup_code": "WRONG123"},
                                     headers=auth(staff))
        assert response.status_code == 422
    locked = await client.post(f"/api/v1/orders/{placed['id']}/collect", json={"pickup_code": placed["pickup_code"]},
                               headers=auth(staff))
    assert locked.status_code == 429
    assert (await CustomerOrder.select(CustomerOrder.status).first())["status"] == "ready_for_pickup"


async def test_only_the_points_staff_act_and_illegal_steps_are_409(client, placed):
    other = await key_of("MZ")
    assert (await client.post(f"/api/v1/orders/{placed['id']}/ready", headers=auth(other))).status_code == 404
    assert (await client.post(f"/api/v1/orders/{placed['id']}/ready")).status_code == 401
    staff = await key_of("MI")
    early = await client.post(f"/api/v1/orders/{placed['id']}/collect", json={"pickup_code": placed["pickup_code"]},
                              headers=auth(staff))
    assert early.status_code == 409 and early.json()["status"] == "placed"
    manager = await make_key(Role.network_manager)
    assert (await client.post(f"/api/v1/orders/{placed['id']}/cancel", headers=auth(manager))).status_code == 200
    assert await reserved("MI", "03L 115 562") == (4, 0)
    again = await client.post(f"/api/v1/orders/{placed['id']}/cancel", headers=auth(staff))
    assert again.status_code == 409 and again.json()["status"] == "cancelled"


async def test_an_order_waits_for_its_transfers_and_cancelling_releases_the_supplier(client, milano_point):  # noqa: F811
    await stock("BG", "RARE-1", 2)
    placed = (await order(client, milano_point, [{"part_number": "RARE-1", "quantity": 1}])).json()
    staff = await key_of("MI")
    waiting = await client.post(f"/api/v1/orders/{placed['id']}/ready", headers=auth(staff))
    assert waiting.status_code == 409 and "waiting for transfer" in waiting.json()["detail"]
    assert (await client.post(f"/api/v1/orders/{placed['id']}/cancel", headers=auth(staff))).status_code == 200
    assert await reserved("BG", "RARE-1") == (2, 0)
    assert (await Transfer.select(Transfer.status).first())["status"] == "cancelled"


async def test_uncollected_orders_expire_and_release(client, placed):
    staff = await key_of("MI")
    await client.post(f"/api/v1/orders/{placed['id']}/ready", headers=auth(staff))
    assert await expire_uncollected() == 0
    assert await expire_uncollected(datetime.now(timezone.utc) + timedelta(days=8)) == 1
    assert (await CustomerOrder.select(CustomerOrder.status).first())["status"] == "expired"
    assert await reserved("MI", "03L 115 562") == (4, 0)
    assert await StockItem.count() == 1


async def test_the_store_confirms_the_amount_it_took(client, placed):
    staff = await key_of("MI")
    await client.post(f"/api/v1/orders/{placed['id']}/ready", headers=auth(staff))
    short = await client.post(f"/api/v1/orders/{placed['id']}/collect",
                              json={"pickup_code": placed["pickup_code"], "amount": "23.00"}, headers=auth(staff))
    assert short.status_code == 422 and short.json()["field"] == "amount" and short.json()["total"] == "24.00"
    order = await CustomerOrder.select(CustomerOrder.status, CustomerOrder.paid_amount, CustomerOrder.code_failures).first()
    assert order == {"status": "ready_for_pickup", "paid_amount": None, "code_failures": 0}
    assert await reserved("MI", "03L 115 562") == (4, 2) and await LedgerLine.count() == 0
    paid = await client.post(f"/api/v1/orders/{placed['id']}/collect",
                             json={"pickup_code": placed["pickup_code"], "amount": "24.00"}, headers=auth(staff))
    assert paid.status_code == 200 and paid.json()["status"] == "collected"
    order = await CustomerOrder.select(CustomerOrder.payment_method, CustomerOrder.paid_amount).first()
    assert order == {"payment_method": "counter", "paid_amount": Decimal("24.00")}


async def test_an_order_never_made_ready_expires_a_hold_after_its_promised_day(client, placed):
    promised = (await CustomerOrder.select(CustomerOrder.promised_for).first())["promised_for"]
    assert await expire_uncollected(datetime.combine(promised + timedelta(days=7), datetime.min.time(),
                                                     timezone.utc) + timedelta(hours=12)) == 0
    later = datetime.combine(promised + timedelta(days=8), datetime.min.time(), timezone.utc) + timedelta(hours=12)
    assert await expire_uncollected(later) == 1
    assert (await CustomerOrder.select(CustomerOrder.status).first())["status"] == "expired"
    assert await reserved("MI", "03L 115 562") == (4, 0)


async def test_the_customer_cannot_cancel_once_a_part_has_shipped(client, milano_point):  # noqa: F811
    await stock("BG", "RARE-1", 2)
    placed = (await order(client, milano_point, [{"part_number": "RARE-1", "quantity": 1}])).json()
    transfer = (await Transfer.select(Transfer.id).first())["id"]
    accepted = await client.post(f"/api/v1/transfers/{transfer}/accept", headers=auth(await key_of("BG")))
    assert accepted.status_code == 200, accepted.text  # the source accepts its line of the order
    shipped = await client.post(f"/api/v1/transfers/{transfer}/ship", json={"carrier": "own van"}, headers=auth(await key_of("BG")))
    assert shipped.status_code == 200, shipped.text
    with pytest.raises(Conflict):
        await cancel(None, placed["id"])
    assert (await CustomerOrder.select(CustomerOrder.status).first())["status"] == "placed"


async def test_only_a_manager_unlocks_a_code_locked_by_wrong_tries(client, placed):
    staff = await key_of("MI")
    await client.post(f"/api/v1/orders/{placed['id']}/ready", headers=auth(staff))
    for _ in range(5):
        await client.post(f"/api/v1/orders/{placed['id']}/collect", json={"pickup_code": "WRONG123"},
                          headers=auth(staff))
    assert (await client.post(f"/api/v1/orders/{placed['id']}/unlock", headers=auth(staff))).status_code == 403
    manager = await make_key(Role.network_manager)
    assert (await client.post(f"/api/v1/orders/{placed['id']}/unlock", headers=auth(manager))).status_code == 200
    done = await client.post(f"/api/v1/orders/{placed['id']}/collect", json={"pickup_code": placed["pickup_code"]},
                             headers=auth(staff))
    assert done.status_code == 200 and done.json()["status"] == "collected"
