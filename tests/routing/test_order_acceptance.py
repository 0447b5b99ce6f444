"""Online orders offered to their source dealers: accepted within the deadline, or passed over to
the next nearest holder (clock controlled); the race of acceptance and pass-over; the pages."""

import asyncio
from datetime import date, datetime

import httpx
import pytest

from marketplace.accounts.tables import Role
from marketplace.matching.tables import Transfer, TransferEvent
from marketplace.network.closures import ClosureInput, add_closure
from marketplace.network.tables import Dealer
from marketplace.outbox.tables import OutboxMessage
from marketplace.pickup.acceptance import pass_over_due
from marketplace.pickup.lifecycle import confirm_order
from marketplace.pickup.tables import CustomerOrder, OrderEvent, OrderLine
from tests.conftest import csrf_token, make_user, sign_in
from tests.matching.network import key_of, stock
from tests.pickup.test_orders import CUSTOMER, ROME, milano_point, reserved  # noqa: F401

MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=ROME)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=ROME)


def auth(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


async def _order(client, point, confirm_at=MONDAY_10, email="mario@example.com") -> int:
    placed = await client.post("/api/v1/orders", json={"customer": {**CUSTOMER, "email": email},
                                                       "items": [{"part_number": "RARE-1", "quantity": 1}],
                                                       "pickup_point_id": point})
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["id"]
    token = (await CustomerOrder.select(CustomerOrder.confirm_token).where(CustomerOrder.id == order_id).first())
    await confirm_order(token["confirm_token"], now=confirm_at)
    return order_id


async def _line(order_id: int) -> dict:
    return await OrderLine.select(OrderLine.source_dealer.code.as_alias("source"), OrderLine.transfer,
                                  OrderLine.transfer.status.as_alias("status"),
                                  OrderLine.transfer.expires_at.as_alias("accept_by")).where(
        OrderLine.order == order_id).first()


async def _ids() -> dict[str, int]:
    return {r["code"]: r["id"] for r in await Dealer.select(Dealer.id, Dealer.code)}


@pytest.fixture
async def rare(milano_point):  # noqa: F811
    await stock("BG", "RARE-1", 1, "700.00")  # Bergamo ~45 km from the Milano point: the first source
    await stock("TO", "RARE-1", 2, "650.00")  # Torino ~125 km: the next nearest
    await stock("RM", "RARE-1", 3, "600.00")  # Roma ~480 km
    return milano_point


async def test_a_source_that_does_not_accept_in_time_is_passed_over_to_the_next_nearest(client, rare):
    order_id = await _order(client, rare)
    ids = await _ids()
    line = await _line(order_id)
    assert line["source"] == "BG" and line["status"] == "requested"
    assert line["accept_by"] == at(23, 11, 30)  # 90 working minutes from Monday 10:00
    offered = await OutboxMessage.select(OutboxMessage.payload).where(OutboxMessage.topic == "order.offered").output(
        load_json=True)
    assert [(m["payload"]["order_id"], m["payload"]["dealer_id"]) for m in offered] == [(order_id, ids["BG"])]
    owner = (await CustomerOrder.select(CustomerOrder.territory_owner).first())["territory_owner"]

    assert await pass_over_due(at(23, 11, 29)) == 0
    assert await pass_over_due(at(23, 11, 30)) == 1
    assert await pass_over_due(at(23, 11, 31)) == 0  # once
    old = await Transfer.select(Transfer.status).where(Transfer.id == line["transfer"]).first()
    assert old["status"] == "expired" and await reserved("BG", "RARE-1") == (1, 0)
    moved = await _line(order_id)
    assert moved["source"] == "TO" and moved["status"] == "requested" and await reserved("TO", "RARE-1") == (2, 1)
    assert moved["accept_by"] == at(23, 13, 0)  # a new 90 working minutes for Torino
    reason = await TransferEvent.select(TransferEvent.detail).where(
        (TransferEvent.transfer == line["transfer"]) & (TransferEvent.to_status == "expired")).output(load_json=True).first()
    assert reason["detail"] == {"reason": "not accepted in time"}
    kinds = [(e["kind"], e["dealer"]) for e in await OrderEvent.select(OrderEvent.kind, OrderEvent.dealer).order_by(
        OrderEvent.id)]
    assert kinds == [("offered", ids["BG"]), ("passed_over", ids["BG"]), ("offered", ids["TO"])]
    topics = [m["payload"]["dealer_id"] for m in await OutboxMessage.select(OutboxMessage.payload).where(
        OutboxMessage.topic == "order.offered").order_by(OutboxMessage.id).output(load_json=True)]
    assert topics == [ids["BG"], ids["TO"]]
    assert (await CustomerOrder.select(CustomerOrder.territory_owner).first())["territory_owner"] == owner

    late = await client.post(f"/api/v1/orders/{order_id}/lines/accept", headers=auth(await key_of("BG")))
    assert late.status_code == 409 and "passed to another dealer" in late.text
    accepted = await client.post(f"/api/v1/orders/{order_id}/lines/accept", headers=auth(await key_of("TO")))
    assert accepted.status_code == 200 and accepted.json() == {"order_id": order_id, "accepted_lines": 1}
    assert (await _line(order_id))["status"] == "accepted"
    assert await pass_over_due(at(30, 12, 0)) == 0
    again = await client.post(f"/api/v1/orders/{order_id}/lines/accept", headers=auth(await key_of("TO")))
    assert again.status_code == 409
    stranger = await client.post(f"/api/v1/orders/{order_id}/lines/accept", headers=auth(await key_of("MZ")))
    assert stranger.status_code == 404


async def test_the_deadline_counts_the_sources_closures(client, rare):
    await add_closure("BG", ClosureInput(date(2026, 11, 23), date(2026, 11, 23), "Sant'Alessandro"),
                      now=at(20, 9))
    order_id = await _order(client, rare)
    assert (await _line(order_id))["accept_by"] == at(24, 9, 30)  # closed Monday: Tuesday 8:00 + 90 min
    assert await pass_over_due(at(23, 17, 0)) == 0


async def test_a_declined_line_passes_over_at_once_with_its_reason(client, rare):
    order_id = await _order(client, rare)
    line = await _line(order_id)
    declined = await client.post(f"/api/v1/transfers/{line['transfer']}/decline", json={"reason": "not_available"},
                                 headers=auth(await key_of("BG")))
    assert declined.status_code == 200
    refused_offer = await client.post(f"/api/v1/transfers/{line['transfer']}/accept", json={"quantity": 1},
                                      headers=auth(await key_of("BG")))
    assert refused_offer.status_code == 409
    assert await pass_over_due(at(23, 10, 5)) == 1
    assert (await _line(order_id))["source"] == "TO"
    event = await OrderEvent.select(OrderEvent.detail).where(OrderEvent.kind == "passed_over").output(
        load_json=True).first()
    assert event["detail"]["reason"] == "declined: not_available"


async def test_an_order_line_accepts_whole_only(client, rare):
    await stock("TO", "03L 115 562", 2)
    order_id = await _order(client, rare)
    line = await _line(order_id)
    offer = await client.post(f"/api/v1/transfers/{line['transfer']}/accept", json={"quantity": 1},
                              headers=auth(await key_of("BG")))
    # Quantity 1 of 1 is the whole line: accepted. (A smaller offer is refused: see the decline test.)
    assert offer.status_code == 200 and (await _line(order_id))["status"] == "accepted"
    assert order_id


async def test_when_no_holder_can_make_the_promised_day_the_promise_moves_and_the_customer_is_told(client, rare):
    order_id = await _order(client, rare)
    await CustomerOrder.update({CustomerOrder.promised_for: date(2026, 11, 23)}).where(CustomerOrder.id == order_id)
    assert await pass_over_due(at(23, 11, 30)) == 1
    order = await CustomerOrder.select(CustomerOrder.promised_for).first()
    assert order["promised_for"] == date(2026, 11, 25)  # two working days from Monday, then prepared Wednesday
    assert await OutboxMessage.count().where(OutboxMessage.topic == "order.delayed") == 1
    moved = await OrderEvent.select(OrderEvent.detail).where(OrderEvent.kind == "promise_moved").output(
        load_json=True).first()
    assert moved["detail"] == {"before": "2026-11-23", "after": "2026-11-25"}


async def test_with_no_holder_left_the_order_is_cancelled_and_the_customer_told(client, milano_point):  # noqa: F811
    await stock("BG", "RARE-1", 1, "700.00")
    order_id = await _order(client, milano_point)
    assert await pass_over_due(at(23, 11, 30)) == 1
    order = await CustomerOrder.select(CustomerOrder.status).first()
    assert order["status"] == "cancelled" and await reserved("BG", "RARE-1") == (1, 0)
    kinds = [e["kind"] for e in await OrderEvent.select(OrderEvent.kind).order_by(OrderEvent.id)]
    assert kinds == ["offered", "passed_over", "unfilled"]
    cancelled = await OutboxMessage.select(OutboxMessage.payload).where(OutboxMessage.topic == "order.cancelled").output(
        load_json=True).first()
    assert cancelled["payload"] == {"order_id": order_id, "by": "network"}


async def test_acceptance_racing_the_sweeper_assigns_each_line_once(app, rare):
    # Ten at Bergamo and Torino: eight orders, each offered to Bergamo first, Torino next.
    await Transfer.raw("UPDATE stock_item SET on_hand = 10 WHERE dealer IN (SELECT id FROM dealer WHERE code IN ('BG', 'TO'))")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        orders = [await _order(client, rare, email=f"c{i}@example.com") for i in range(8)]
    key = await key_of("BG")

    async def accept(order_id):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
            return (await c.post(f"/api/v1/orders/{order_id}/lines/accept", headers=auth(key))).status_code

    results = await asyncio.gather(*(accept(o) for o in orders), pass_over_due(at(23, 11, 30)),
                                   pass_over_due(at(23, 11, 30)))
    codes, moved = results[:-2], results[-2] + results[-1]
    assert set(codes) <= {200, 409} and codes.count(409) == moved
    bg = [o for o in orders if (await _line(o))["source"] == "BG"]
    assert len(bg) == codes.count(200)
    for order_id in orders:
        line = await _line(order_id)
        assert (line["source"], line["status"]) in (("BG", "accepted"), ("TO", "requested"))
    assert await reserved("BG", "RARE-1") == (10, len(bg))
    assert await reserved("TO", "RARE-1") == (10, len(orders) - len(bg))


async def test_the_source_dealers_page_lists_offers_and_accepts(client, rare):
    order_id = await _order(client, rare)
    await make_user("banco@bg.example", Role.dealer_staff, "BG")
    await sign_in(client, "banco@bg.example")
    page = await client.get("/pickup/offers")
    assert page.status_code == 200 and "Ordini online da accettare" in page.text and "RARE-1" in page.text
    assert f"/pickup/offers/{order_id}/accept" in page.text
    listed = await client.get("/api/v1/orders/offered", headers=auth(await key_of("BG")))
    assert [o["order_id"] for o in listed.json()] == [order_id]
    token = await csrf_token(client, "/pickup/offers")
    done = await client.post(f"/pickup/offers/{order_id}/accept", data={"_csrf_token": token})
    assert done.status_code == 303
    page = await client.get(done.headers["location"])
    assert "RARE-1" not in page.text and "Nessun ordine online" in page.text
    assert (await _line(order_id))["status"] == "accepted"
    # The store's page shows the routing timeline.
    client.cookies.clear()
    await make_user("banco@mi.example", Role.dealer_staff, "MI")
    await sign_in(client, "banco@mi.example")
    store = await client.get(f"/pickup/orders/{order_id}")
    assert store.status_code == 200 and "Offerto" in store.text and "Accettato" in store.text


async def test_the_territory_owner_keeps_its_referral_when_another_dealer_fulfils(client, rare):
    from marketplace.geo.territories import TerritoryInput, create_territory
    from marketplace.settlement.tables import LedgerLine

    await create_territory(TerritoryInput("MZ", "Milano centro", True, postal_codes=["20121"]))
    order_id = await _order(client, rare)
    assert (await CustomerOrder.select(CustomerOrder.territory_owner.code).first())["territory_owner.code"] == "MZ"
    assert await pass_over_due(at(23, 11, 30)) == 1  # Bergamo did not answer: Torino fulfils
    line = await _line(order_id)
    to, mi = auth(await key_of("TO")), auth(await key_of("MI"))
    assert (await client.post(f"/api/v1/orders/{order_id}/lines/accept", headers=to)).status_code == 200
    shipped = await client.post(f"/api/v1/transfers/{line['transfer']}/ship", json={"carrier": "BRT"}, headers=to)
    assert shipped.status_code == 200
    assert (await client.post(f"/api/v1/transfers/{line['transfer']}/receive", headers=mi)).status_code == 200
    assert (await client.post(f"/api/v1/orders/{order_id}/ready", headers=mi)).status_code == 200
    code = (await CustomerOrder.select(CustomerOrder.pickup_code).first())["pickup_code"]
    done = await client.post(f"/api/v1/orders/{order_id}/collect", json={"pickup_code": code}, headers=mi)
    assert done.status_code == 200, done.text
    referral = await LedgerLine.select(LedgerLine.account, LedgerLine.amount).where(LedgerLine.kind == "referral")
    assert [r["account"] for r in referral] == ["dealer:MZ"] and referral[0]["amount"] > 0
