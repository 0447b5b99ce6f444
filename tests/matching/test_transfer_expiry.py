"""Offers left unconfirmed and accepted transfers left unshipped expire, releasing the stock."""

from datetime import datetime
from zoneinfo import ZoneInfo

from marketplace.matching.tables import Transfer, TransferEvent
from marketplace.matching.transfer_expiry import expire_stale_agreements
from marketplace.network.tables import NetworkSettings
from tests.matching.network import build_network, key_of, stock

ROME = ZoneInfo("Europe/Rome")
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=ROME)


async def _transfer(client, quantity=3, offer: int | None = None) -> int:
    requester, supplier = await key_of("MI"), await key_of("MZ")
    made = await client.post("/api/v1/transfers", json={"supplier": "MZ", "part_number": "03L115562", "quantity": quantity},
                             headers={"Authorization": f"Bearer {requester}"})
    transfer = made.json()["id"]
    answer = await client.post(f"/api/v1/transfers/{transfer}/accept", json={"quantity": offer} if offer else None,
                               headers={"Authorization": f"Bearer {supplier}"})
    assert answer.status_code == 200, answer.text
    # The clock of the test: the last step happened on Monday at 10:00 Rome time.
    await Transfer.update({Transfer.updated_at: MONDAY_10}).where(Transfer.id == transfer)
    return transfer


async def _reserved() -> int:
    from marketplace.inventory.tables import StockItem

    return (await StockItem.select(StockItem.reserved).where(StockItem.dealer.code == "MZ").first())["reserved"]


async def test_an_accepted_transfer_not_shipped_within_the_deadline_expires_and_releases_the_stock(client):
    await build_network()
    await stock("MZ", "03L 115 562", 5, "9.95")
    transfer = await _transfer(client)
    assert await _reserved() == 3
    # 2 working days (Mon-Fri 8-18) from Monday 10:00 end on Wednesday at 10:00.
    assert await expire_stale_agreements(datetime(2026, 11, 25, 9, 59, tzinfo=ROME)) == 0
    assert (await Transfer.select(Transfer.status).first())["status"] == "accepted"
    assert await expire_stale_agreements(datetime(2026, 11, 25, 10, 0, tzinfo=ROME)) == 1
    assert (await Transfer.select(Transfer.status).first())["status"] == "expired"
    assert await _reserved() == 0
    event = await TransferEvent.select(TransferEvent.from_status, TransferEvent.to_status, TransferEvent.detail).where(
        TransferEvent.transfer == transfer).order_by(TransferEvent.id, ascending=False).first()
    assert (event["from_status"], event["to_status"]) == ("accepted", "expired")
    assert await expire_stale_agreements(datetime(2026, 12, 25, tzinfo=ROME)) == 0  # once


async def test_the_shipping_deadline_is_a_network_setting(client):
    await build_network()
    await stock("MZ", "03L 115 562", 5, "9.95")
    await NetworkSettings.update({NetworkSettings.shipping_deadline_days: 3}, force=True)
    await _transfer(client)
    assert await expire_stale_agreements(datetime(2026, 11, 26, 9, 59, tzinfo=ROME)) == 0
    assert await expire_stale_agreements(datetime(2026, 11, 26, 10, 0, tzinfo=ROME)) == 1


async def test_an_offer_not_confirmed_within_the_answer_sla_expires(client):
    await build_network()
    await stock("MZ", "03L 115 562", 5, "9.95")
    transfer = await _transfer(client, quantity=4, offer=2)
    assert (await Transfer.select(Transfer.status).where(Transfer.id == transfer).first())["status"] == "offered"
    assert await _reserved() == 2
    # The answer SLA (4 working hours) from Monday 10:00: Monday 14:00.
    assert await expire_stale_agreements(datetime(2026, 11, 23, 13, 59, tzinfo=ROME)) == 0
    assert await expire_stale_agreements(datetime(2026, 11, 23, 14, 0, tzinfo=ROME)) == 1
    assert await _reserved() == 0


async def test_a_transfer_agreed_for_a_customer_order_is_left_to_the_orders_own_expiry(client):
    from marketplace.inventory.catalog import import_catalog
    from marketplace.pickup.points import PointInput, Schedule, create_point
    from tests.pickup.test_orders import HOURS, milano_point, order  # noqa: F401

    await build_network()
    await import_catalog(b"part_number,description,list_price,map_price,channel\nAIRBAG-1,Airbag,500.00,,physical_only\n")
    point = await create_point(PointInput("MI", "Ritiro Milano", "basic", "20121", "", Schedule(HOURS, 60, 30)))
    await stock("BG", "RARE-1", 1, "700.00")
    placed = await order(client, point, [{"part_number": "RARE-1", "quantity": 1}])
    assert placed.status_code == 201, placed.text
    transfer = (await Transfer.select(Transfer.id).first())["id"]
    accepted = await client.post(f"/api/v1/transfers/{transfer}/accept",
                                 headers={"Authorization": f"Bearer {await key_of('BG')}"})
    assert accepted.status_code == 200, accepted.text  # the source accepts the order's line (docs/routing.md)
    assert (await Transfer.select(Transfer.status).first())["status"] == "accepted"
    await Transfer.update({Transfer.updated_at: MONDAY_10}, force=True)
    assert await expire_stale_agreements(datetime(2026, 12, 25, tzinfo=ROME)) == 0
    assert (await Transfer.select(Transfer.status).first())["status"] == "accepted"
