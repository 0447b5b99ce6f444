"""Transfers over HTTP: reservation, idempotency, the lifecycle, authorization, expiry, the race."""

import asyncio
from datetime import datetime, timedelta, timezone

import pytest

from marketplace.inventory.tables import StockItem
from marketplace.matching.tables import Transfer, TransferEvent
from marketplace.matching.transfers import expire_overdue
from marketplace.outbox.tables import OutboxMessage
from tests.matching.network import build_network, key_of, stock


@pytest.fixture
async def keys(client):
    await build_network()
    await stock("MZ", "03L 115 562", 5, "9.90")
    await stock("MZ", "5Q0 615 301 F", 2, "88.00")
    return {code: await key_of(code) for code in ("MI", "MZ", "BG")}


def auth(key, idempotency_key=None):
    headers = {"Authorization": f"Bearer {key}"}
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
    return headers


async def request(client, key, idempotency_key=None, **body):
    body = {"supplier": "MZ", "part_number": "03l-115-562", "quantity": 2, **body}
    return await client.post("/api/v1/transfers", json=body, headers=auth(key, idempotency_key))


async def reserved(dealer="MZ", part="03L 115 562") -> tuple[int, int]:
    row = await StockItem.select(StockItem.on_hand, StockItem.reserved).where(
        (StockItem.dealer.code == dealer) & (StockItem.part.part_number == part)).first()
    return row["on_hand"], row["reserved"]


async def test_a_request_reserves_at_the_supplier_with_the_price_frozen(client, keys):
    response = await request(client, keys["MI"], note="urgente, cliente al banco")
    assert response.status_code == 201
    transfer = response.json()
    assert {k: transfer[k] for k in ("status", "requester", "supplier", "part_number", "quantity", "unit_price")} == {
        "status": "requested", "requester": "MI", "supplier": "MZ", "part_number": "03L 115 562", "quantity": 2,
        "unit_price": "9.90"}
    assert datetime.fromisoformat(transfer["expires_at"]) > datetime.now(timezone.utc)
    assert await reserved() == (5, 2)
    await StockItem.update({StockItem.transfer_price: "12.00"}, force=True)
    again = await client.get(f"/api/v1/transfers/{transfer['id']}", headers=auth(keys["MI"]))
    assert again.json()["unit_price"] == "9.90"
    assert [e["to_status"] for e in again.json()["events"]] == ["requested"]
    assert await OutboxMessage.count().where(OutboxMessage.topic == "transfer.requested") == 1


async def test_more_than_available_is_409_with_what_is_available(client, keys):
    response = await request(client, keys["MI"], quantity=6)
    assert response.status_code == 409
    assert response.json()["available"] == 5 and "5 available" in response.json()["detail"]
    assert await reserved() == (5, 0) and await Transfer.count() == 0


@pytest.mark.parametrize("body, field", [
    ({"supplier": "NOPE"}, "supplier"), ({"supplier": "MI"}, "supplier"), ({"part_number": "X-9"}, "part_number"),
    ({"quantity": 0}, "quantity"),
])
async def test_bad_requests_are_refused_and_reserve_nothing(client, keys, body, field):
    response = await request(client, keys["MI"], **body)
    # A value the schema refuses (quantity from 1) is 400, one the rules refuse 422: both name it.
    assert response.status_code in (400, 422) and response.json()["field"] == field
    assert await reserved() == (5, 0) and await Transfer.count() == 0


async def test_a_malformed_body_is_400(client, keys):
    response = await client.post("/api/v1/transfers", json={"supplier": "MZ", "quantity": "two"},
                                 headers=auth(keys["MI"]))
    assert response.status_code == 400
    assert await Transfer.count() == 0


async def test_idempotency_key_replays_and_refuses_another_body(client, keys):
    first = await request(client, keys["MI"], "order-17")
    again = await request(client, keys["MI"], "order-17")
    assert first.status_code == 201 and again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert await reserved() == (5, 2) and await Transfer.count() == 1
    other = await request(client, keys["MI"], "order-17", quantity=1)
    assert other.status_code == 422 and other.json()["field"] == "Idempotency-Key"
    # the same key from another dealer is another request
    assert (await request(client, keys["BG"], "order-17")).status_code == 201


async def test_concurrent_retries_with_one_key_act_once(client, keys):
    answers = await asyncio.gather(*[request(client, keys["MI"], "same-key") for _ in range(10)])
    assert sorted(r.status_code for r in answers) == [200] * 9 + [201]
    assert len({r.json()["id"] for r in answers}) == 1
    assert await reserved() == (5, 2)


async def test_the_whole_lifecycle_moves_the_stock_once(client, keys):
    transfer_id = (await request(client, keys["MI"])).json()["id"]
    accept = await client.post(f"/api/v1/transfers/{transfer_id}/accept", headers=auth(keys["MZ"]))
    assert accept.status_code == 200 and accept.json()["status"] == "accepted"
    ship = await client.post(f"/api/v1/transfers/{transfer_id}/ship", json={"carrier": "BRT", "tracking": "123"},
                             headers=auth(keys["MZ"]))
    assert ship.json()["status"] == "shipped" and ship.json()["carrier"] == "BRT"
    assert await reserved() == (3, 0)
    receive = await client.post(f"/api/v1/transfers/{transfer_id}/receive", headers=auth(keys["MI"]))
    assert receive.json()["status"] == "received"
    assert [(e["from_status"], e["to_status"]) for e in receive.json()["events"]] == [
        (None, "requested"), ("requested", "accepted"), ("accepted", "shipped"), ("shipped", "received")]
    assert await TransferEvent.count() == 4 and await reserved() == (3, 0)


async def test_a_partial_offer_is_confirmed_by_the_requester(client, keys):
    transfer_id = (await request(client, keys["MI"], quantity=4)).json()["id"]
    offer = await client.post(f"/api/v1/transfers/{transfer_id}/accept", json={"quantity": 3},
                              headers=auth(keys["MZ"]))
    assert offer.json()["status"] == "offered" and offer.json()["quantity"] == 3
    assert offer.json()["requested_quantity"] == 4 and await reserved() == (5, 3)
    confirm = await client.post(f"/api/v1/transfers/{transfer_id}/confirm", headers=auth(keys["MI"]))
    assert confirm.json()["status"] == "accepted"


async def test_an_offer_of_another_part_number_moves_the_reservation(client, keys):
    transfer_id = (await request(client, keys["MI"], quantity=1)).json()["id"]
    offer = await client.post(f"/api/v1/transfers/{transfer_id}/accept", json={"part_number": "5Q0615301F"},
                              headers=auth(keys["MZ"]))
    body = offer.json()
    assert body["status"] == "offered" and body["part_number"] == "5Q0 615 301 F"
    assert body["requested_part_number"] == "03L 115 562" and body["unit_price"] == "88.00"
    assert await reserved() == (5, 0) and await reserved(part="5Q0 615 301 F") == (2, 1)


async def test_decline_needs_a_reason_and_releases(client, keys):
    transfer_id = (await request(client, keys["MI"])).json()["id"]
    no_reason = await client.post(f"/api/v1/transfers/{transfer_id}/decline", headers=auth(keys["MZ"]))
    assert no_reason.status_code == 422 and no_reason.json()["field"] == "reason"
    declined = await client.post(f"/api/v1/transfers/{transfer_id}/decline", json={"reason": "backordered"},
                                 headers=auth(keys["MZ"]))
    assert declined.json()["status"] == "declined" and declined.json()["decline_reason"] == "backordered"
    assert await reserved() == (5, 0)


async def test_cancel_releases_and_illegal_transitions_are_409_naming_the_status(client, keys):
    transfer_id = (await request(client, keys["MI"])).json()["id"]
    cancel = await client.post(f"/api/v1/transfers/{transfer_id}/cancel", headers=auth(keys["MI"]))
    assert cancel.json()["status"] == "cancelled" and await reserved() == (5, 0)
    for action, key in (("accept", "MZ"), ("ship", "MZ"), ("cancel", "MI"), ("receive", "MI")):
        response = await client.post(f"/api/v1/transfers/{transfer_id}/{action}", json={"carrier": "x"},
                                     headers=auth(keys[key]))
        assert response.status_code == 409, action
        assert response.json()["status"] == "cancelled" and "cancelled" in response.json()["detail"]


async def test_only_the_right_party_acts_and_outsiders_see_nothing(client, keys):
    transfer_id = (await request(client, keys["MI"])).json()["id"]
    assert (await client.post(f"/api/v1/transfers/{transfer_id}/accept", headers=auth(keys["MI"]))).status_code == 403
    assert (await client.post(f"/api/v1/transfers/{transfer_id}/cancel", headers=auth(keys["MZ"]))).status_code == 403
    for verb, path in (("get", ""), ("post", "/accept"), ("post", "/cancel")):
        response = await getattr(client, verb)(f"/api/v1/transfers/{transfer_id}{path}", headers=auth(keys["BG"]))
        assert response.status_code == 404, path
    assert (await client.post(f"/api/v1/transfers/{transfer_id}/explode", headers=auth(keys["MI"]))).status_code == 404
    assert await reserved() == (5, 2)


async def test_inboxes(client, keys):
    await request(client, keys["MI"])
    await request(client, keys["BG"], quantity=1)
    incoming = await client.get("/api/v1/transfers?direction=incoming", headers=auth(keys["MZ"]))
    assert [t["requester"] for t in incoming.json()["items"]] == ["MI", "BG"]  # oldest first
    outgoing = await client.get("/api/v1/transfers?direction=outgoing", headers=auth(keys["MI"]))
    assert outgoing.json()["total"] == 1


async def test_the_sweeper_expires_unanswered_requests_once(client, keys):
    transfer_id = (await request(client, keys["MI"])).json()["id"]
    await request(client, keys["BG"], quantity=1)
    await Transfer.update({Transfer.expires_at: datetime.now(timezone.utc) - timedelta(minutes=1)}).where(
        Transfer.id == transfer_id)
    assert await expire_overdue() == 1
    assert await expire_overdue() == 0
    assert (await Transfer.select(Transfer.status).where(Transfer.id == transfer_id).first())["status"] == "expired"
    assert await reserved() == (5, 1)
    accept = await client.post(f"/api/v1/transfers/{transfer_id}/accept", headers=auth(keys["MZ"]))
    assert accept.status_code == 409 and accept.json()["status"] == "expired"


async def test_fifty_dealers_race_for_ten_units(client):
    await build_network()
    from tests.conftest import make_dealer
    from tests.matching.network import key_of as key

    await stock("MZ", "RARE-1", 10, "700.00")
    codes = [f"R{n:02}" for n in range(10)]
    for code in codes:
        await make_dealer(code, "20121")
    racers = [await key(code) for code in codes]
    answers = await asyncio.gather(*[
        client.post("/api/v1/transfers", json={"supplier": "MZ", "part_number": "RARE-1", "quantity": 1},
                    headers=auth(racers[n % 10])) for n in range(50)])
    statuses = sorted(r.status_code for r in answers)
    assert statuses.count(201) == 10 and statuses.count(409) == 40
    assert await reserved(part="RARE-1") == (10, 10)
    assert await Transfer.count() == 10
