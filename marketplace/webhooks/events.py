"""The webhook event catalogue: which outbox topics become which events, what each one says and
which dealers it is about.

An event's ``data`` has the API's own field names: transfers are the API's ``TransferOut``, orders
its ``StaffOrderOut`` (never the customer's pickup code), feeds the fields of ``FeedReportOut``.
The subject is read when the event is fanned out, so ``data`` shows it as it is then; the body is
fixed from that moment, so every retry and every replay sends the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import msgspec

from marketplace.matching.schemas import TransferOut
from marketplace.pickup.orders import get_order
from marketplace.pickup.schemas import OrderLineOut, StaffOrderOut

TRANSFER_EVENTS = tuple(f"transfer.{s}" for s in ("requested", "accepted", "declined", "shipped", "received", "expired"))
ORDER_EVENTS = ("order.placed", "order.ready", "order.collected", "order.cancelled")
EVENTS: tuple[str, ...] = (*TRANSFER_EVENTS, *ORDER_EVENTS, "feed.applied", "feed.refused", "settlement.approved")

#: Outbox topic -> event type. The store hears of an order once its customer confirmed it
#: (``order.new``): that is the order placed, for a DMS; an unconfirmed one may never be.
SOURCES: dict[str, str] = {
    **{event: event for event in TRANSFER_EVENTS},
    "order.new": "order.placed",
    **{event: event for event in ORDER_EVENTS if event != "order.placed"},
    "feed.applied": "feed.applied",
    "feed.refused": "feed.refused",
    "settlement.approved": "settlement.approved",
}


@dataclass(frozen=True, slots=True)
class Event:
    type: str
    data: dict
    dealer_ids: tuple[int, ...]  # the dealers it is about: their endpoints hear of it

    def body(self, at: datetime) -> str:
        """The JSON posted: ``{"type", "timestamp", "data"}``."""
        return msgspec.json.encode({"type": self.type, "timestamp": at, "data": self.data}).decode()


def _builtins(value) -> dict:
    return msgspec.to_builtins(value)


# The fields of the API's TransferOut, read on the fan-out's own connection (the hot path of the
# fan-out: tests/webhooks check that ``data`` equals ``GET /api/v1/transfers/{id}``).
_TRANSFER = """
SELECT t.id, t.status, r.code AS requester, s.code AS supplier, p.part_number, t.quantity, t.unit_price, t.expires_at,
       rp.part_number AS requested_part_number, t.requested_quantity, t.note, t.decline_reason, t.carrier, t.tracking,
       t.created_at, t.requester AS requester_id, t.supplier AS supplier_id,
       r.address AS requester_address, r.postal_code AS requester_postal_code, r.city AS requester_city,
       r.province AS requester_province, r.phone AS requester_phone, t.ddt_year, t.ddt_number
FROM transfer t JOIN dealer r ON r.id = t.requester JOIN dealer s ON s.id = t.supplier
JOIN part p ON p.id = t.part JOIN part rp ON rp.id = t.requested_part
WHERE t.id = $1
"""


async def _transfer(connection, event: str, payload: dict) -> Event | None:
    row = await connection.fetchrow(_TRANSFER, int(payload["transfer_id"]))
    if row is None:
        return None
    return Event(event, _builtins(TransferOut.of(dict(row))), (row["requester_id"], row["supplier_id"]))


_ORDER_DEALERS = """
SELECT p.dealer FROM customer_order o JOIN pickup_point p ON p.id = o.pickup_point WHERE o.id = $1
UNION SELECT l.source_dealer FROM order_line l WHERE l."order" = $1
"""


async def _order(connection, event: str, payload: dict) -> Event | None:
    order_id = int(payload["order_id"])
    if await connection.fetchval("SELECT 1 FROM customer_order WHERE id = $1", order_id) is None:
        return None
    order = await get_order(order_id)
    out = StaffOrderOut(
        id=order["id"], status=order["status"], pickup_point_id=order["pickup_point"],
        territory_owner=order["territory_owner"], lines=[OrderLineOut(**line) for line in order["lines"]],
        total=order["total"], promised_for=order["promised_for"])
    dealers = tuple(sorted(r[0] for r in await connection.fetch(_ORDER_DEALERS, order_id)))
    return Event(event, _builtins(out), dealers)


_FEED = """
SELECT f.id AS feed_id, d.code AS dealer_code, f.mode, f.applied, f.lines_read, f.lines_applied,
       f.lines_rejected AS rejected_total, f.error, f.zeroed_rows, f.zeroed_units, f.received_at, f.dealer
FROM stock_feed f JOIN dealer d ON d.id = f.dealer WHERE f.id = $1
"""


async def _feed(connection, event: str, payload: dict) -> Event | None:
    row = await connection.fetchrow(_FEED, int(payload["feed_id"]))
    if row is None:
        return None
    data = dict(row)
    dealer = data.pop("dealer")
    data["received_at"] = data["received_at"].isoformat()
    return Event(event, data, (dealer,))


_SETTLEMENT = """
SELECT s.period, s.status, s.clearing, s.payment_date, s.approved_at,
       COALESCE(ARRAY(SELECT DISTINCT st.dealer FROM settlement_statement st
                      WHERE st.settlement = s.id AND st.dealer IS NOT NULL), '{}') AS dealers
FROM settlement s WHERE s.period = $1
"""


async def _settlement(connection, event: str, payload: dict) -> Event | None:
    row = await connection.fetchrow(_SETTLEMENT, payload["period"])
    if row is None:
        return None
    data = dict(row)
    dealers = tuple(data.pop("dealers"))
    return Event(event, _builtins(data), dealers)


_BUILDERS = {"transfer": _transfer, "order": _order, "feed": _feed, "settlement": _settlement}


async def event_of(connection, topic: str, payload: dict) -> Event | None:
    """The event an outbox message becomes, or None when it is none (or its subject is gone)."""
    event = SOURCES.get(topic)
    if event is None:
        return None
    return await _BUILDERS[event.partition(".")[0]](connection, event, payload)
