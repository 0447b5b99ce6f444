"""The hand-built month of docs/kpis.md (October 2026), written straight into the tables with the
timestamps the example needs (the domains' functions stamp "now")."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from marketplace.accounts.tables import Role
from marketplace.calendar import ROME
from marketplace.inventory.normalize import normalize_part_number
from marketplace.inventory.tables import Part, StockItem
from marketplace.matching.tables import SearchLine, Transfer, TransferEvent
from marketplace.network.tables import Dealer
from marketplace.pickup.tables import CustomerOrder, OrderLine, PickupPoint
from marketplace.pulse.tables import AgedStockSnapshot, PhoneOrder
from marketplace.settlement.tables import LedgerEntry, LedgerLine
from tests.conftest import make_dealer, make_user

PARTS = {"P1": "1K0-615 301AA", "P2": "5Q0 698 151", "P3": "04E115561H", "P4": "6R0 820 803", "P5": "03L 115 562",
         "P6": "1J0 407 151", "P7": "8V0 941 005"}


def rome(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=ROME)


async def build_month() -> dict:
    """Dealers D001-D004, their stock, searches, transfers, one online order and the ledger."""
    ids = {}
    for code, postal in (("D001", "20121"), ("D002", "24121"), ("D003", "25121"), ("D004", "20900")):
        ids[code] = (await make_dealer(code, postal))["id"]
    clerk_id = (await make_user("clerk@d001.example", Role.dealer_staff, "D001")).id
    part = {}
    for key, number in PARTS.items():
        row = (await Part.insert(Part(part_number=number, normalized=normalize_part_number(number),
                                      list_price=Decimal("100.00"))).returning(Part.id))[0]
        part[key] = row["id"]
    await Dealer.update({Dealer.last_feed_at: rome(10, 20, 7)}).where(Dealer.code == "D002")
    await Dealer.update({Dealer.created_at: datetime(2025, 12, 1, 9, tzinfo=ROME)}, force=True)  # they joined then

    # Stock as the feeds show it now (on hand, unit cost, last movement).
    for dealer, key, on_hand, cost, moved in (
        ("D001", "P1", 4, "25.00", date(2025, 6, 10)),   # aged: 100.00
        ("D001", "P3", 2, "40.00", date(2025, 10, 31)),  # exactly 12 months before 31 October: aged, 80.00
        ("D001", "P4", 10, "5.00", date(2025, 11, 1)),   # one day short of 12 months: not aged
        ("D001", "P6", 0, "99.00", date(2024, 1, 1)),    # nothing on hand
        ("D002", "P1", 3, "20.00", date(2025, 9, 1)),    # aged: 60.00; T1 shipped one unit of it
        ("D002", "P2", 5, "10.00", date(2026, 10, 5)),
        ("D002", "P4", 0, "30.00", date(2026, 10, 19)),  # its feed already shows T5's shipment
        ("D003", "P2", 2, "12.50", date(2025, 3, 15)),   # aged: 25.00; T3 shipped two units of it
        ("D003", "P6", 1, "8.00", date(2026, 9, 30)),
        ("D003", "P7", 0, "60.00", date(2024, 12, 1)),   # aged when the online order took its last unit
    ):
        await StockItem.insert(StockItem(dealer=ids[dealer], part=part[key], on_hand=on_hand, unit_cost=Decimal(cost),
                                         transfer_price=Decimal(cost), last_movement_date=moved))

    # The clerk's searches, one line per number (S1 asked two); S5 an unknown number, S6 one D001 holds.
    searches = {}
    for name, key, own, found, at in (
        ("S1a", "P1", 0, True, rome(10, 5, 9, 0)), ("S1b", "P2", 0, True, rome(10, 5, 9, 0)),
        ("S2", "P2", 0, True, rome(10, 5, 10, 27)), ("S3", "P3", 0, True, rome(10, 12, 10, 0)),
        ("S4", "P4", 0, True, rome(10, 16, 10, 40)), ("S5", None, 0, False, rome(10, 19, 11, 0)),
        ("S6", "P1", 4, True, rome(10, 20, 8, 0)),
    ):
        number = normalize_part_number(PARTS[key]) if key else "0AH998002"
        row = (await SearchLine.insert(SearchLine(
            dealer=ids["D001"], user=clerk_id, number=number, part=part[key] if key else None,
            parts=[part[key]] if key else [], quantity=1, own_available=own, found=found, at=at,
        )).returning(SearchLine.id))[0]
        searches[name] = row["id"]

    # Transfers: (name, requester, supplier, part, quantity, status, created, [(status, at), ...]).
    transfers = {}
    linked = {"T1": "S1a", "T2": "S1b", "T3": "S2", "T4": "S3", "T5": "S4"}  # as request_transfer links them
    for name, requester, supplier, key, quantity, status, created, steps in (
        ("T1", "D001", "D002", "P1", 1, "received", rome(10, 5, 9, 4),
         [("accepted", rome(10, 5, 9, 30)), ("shipped", rome(10, 5, 15)), ("received", rome(10, 6, 10, 4))]),
        ("T2", "D001", "D002", "P2", 2, "declined", rome(10, 5, 9, 15), [("declined", rome(10, 5, 10))]),
        ("T3", "D001", "D003", "P2", 2, "received", rome(10, 5, 10, 30),
         [("accepted", rome(10, 5, 11)), ("shipped", rome(10, 6, 9)), ("received", rome(10, 8, 10, 30))]),
        ("T4", "D001", "D003", "P3", 1, "expired", rome(10, 12, 10, 2), [("expired", rome(10, 12, 14, 2))]),
        ("T5", "D001", "D002", "P4", 1, "received", rome(10, 16, 11),
         [("accepted", rome(10, 16, 12)), ("shipped", rome(10, 19, 9)), ("received", rome(10, 22, 9))]),
        ("T6", "D001", "D002", "P5", 1, "cancelled", rome(10, 20, 9), [("cancelled", rome(10, 20, 9, 5))]),
        ("T7", "D002", "D003", "P6", 1, "received", rome(9, 30, 16),
         [("accepted", rome(9, 30, 16, 30)), ("shipped", rome(9, 30, 17)), ("received", rome(10, 1, 10))]),
    ):
        row = (await Transfer.insert(Transfer(
            requester=ids[requester], supplier=ids[supplier], part=part[key], requested_part=part[key],
            quantity=quantity, requested_quantity=quantity, unit_price=Decimal("10.00"), status=status,
            created_at=created, expires_at=created + timedelta(hours=4), updated_at=steps[-1][1],
            search_line=searches.get(linked.get(name)),
            # T5's source row, as it stood when requested: no movement since 1 August 2025 (aged).
            source_moved_on=date(2025, 8, 1) if name == "T5" else None)).returning(Transfer.id))[0]
        transfers[name] = row["id"]
        before = "requested"
        await TransferEvent.insert(TransferEvent(transfer=row["id"], at=created, actor="test", from_status=None,
                                                 to_status="requested"))
        for after, at in steps:
            await TransferEvent.insert(TransferEvent(transfer=row["id"], at=at, actor="test", from_status=before,
                                                     to_status=after))
            before = after

    # A part line D001 bought by phone (logged from the search page), and the aged-stock snapshots
    # of December 2025, when D001 and D002 joined the network (the base of the change).
    await PhoneOrder.insert(PhoneOrder(dealer=ids["D001"], user=clerk_id, number="0AH998002", at=rome(10, 21, 9)))
    for code, value in (("D001", "300.00"), ("D002", "50.00")):
        await AgedStockSnapshot.insert(AgedStockSnapshot(dealer=ids[code], period="2025-12", units_9=0,
                                                         value_9=Decimal(value), units_12=0, value_12=Decimal(value)))

    # Online orders at D004's pickup point: O1 collected (P7 from D003), O2 lapsed unconfirmed.
    point = (await PickupPoint.insert(PickupPoint(dealer=ids["D004"], name="Ritiro Monza", postal_code="20900",
                                                  lat=45.58, lon=9.27)).returning(PickupPoint.id))[0]["id"]
    for name, status, created, confirmed in (("O1", "collected", rome(10, 20, 15), rome(10, 20, 15, 5)),
                                             ("O2", "expired", rome(10, 21, 11), None)):
        order = (await CustomerOrder.insert(CustomerOrder(
            pickup_point=point, territory_owner=ids["D001"], customer_name="Mario Rossi",
            customer_email=f"{name.lower()}@example.com", customer_postal_code="20121", status=status,
            pickup_code=name * 3, token=f"token-{name}", total=Decimal("100.00"), created_at=created,
            confirmed_at=confirmed)).returning(CustomerOrder.id))[0]["id"]
        await OrderLine.insert(OrderLine(order=order, part=part["P7"], quantity=1, unit_price=Decimal("100.00"),
                                         source_dealer=ids["D003"]))

    # The ledger: O1 as docs/settlement.md books an order; a September referral that must not count.
    async def entry(source: str, period: str, booked: datetime, lines: list[tuple[str, str, str]]) -> None:
        entry_id = (await LedgerEntry.insert(LedgerEntry(kind="order", source=source, period=period,
                                                         booked_at=booked)).returning(LedgerEntry.id))[0]["id"]
        await LedgerLine.insert(*[LedgerLine(entry=entry_id, account=f"dealer:{code}" if code else "network",
                                             dealer=ids[code] if code else None, kind=kind, amount=Decimal(amount))
                                  for code, kind, amount in lines])

    await entry("order:1", "2026-10", rome(10, 20, 15, 30), [
        ("D004", "customer_payment", "-100.00"), ("D001", "referral", "5.00"), ("", "platform_fee", "3.00"),
        ("D004", "pickup_fee", "0.80"), ("D003", "sale", "91.20")])
    await entry("order:0", "2026-09", rome(9, 15, 12), [
        ("D004", "customer_payment", "-7.00"), ("D001", "referral", "7.00")])
    return {"dealers": ids, "parts": part, "transfers": transfers, "searches": searches}
