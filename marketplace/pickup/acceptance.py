"""Online orders offered to their source dealers: each accepts its lines within the network's
``order_accept_minutes`` (working minutes on its own calendar), or the line is passed over.

An order whose lines are not all on the pickup point's own shelf reserves them at source dealers
when it is placed (orders.py); the transfers that will bring them are *requested*. When the
customer confirms, each source dealer is offered its lines (``order.offered``) with a deadline.
A source that accepts (here, for all its lines of the order, or on the transfer's own page)
commits to ship. One that declines, or lets the deadline pass, is passed over by the sweeper: its
reservation released, the line reserved at the pickup point's own shelf if it now holds it, else
at the nearest other holder whose parts can still be ready by the promised day, else at the
nearest at all, the promise moved and the customer told (``order.delayed``). With no holder left,
the order is cancelled and the customer told. The territory owner is the order's, whoever fulfils.

Lock order, everywhere: the order's row (customer_order), then its transfers (by id), then the
pickup point, then stock rows. Acceptance on the transfer page locks only the transfer, so it
and the sweeper meet on the transfer's row: whoever takes it first wins, the other sees the
transfer's new status (accepted: nothing to pass over; expired: 409 to the late acceptance).
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime, timezone

from marketplace.accounts.principal import Principal
from marketplace.calendar import NO_CLOSURES, ROME, add_working_days, add_working_minutes
from marketplace.errors import Conflict, Forbidden, NotFound
from marketplace.geo.distance import haversine_km_many
from marketplace.inventory.availability import holders_of
from marketplace.inventory.reservations import reserve
from marketplace.matching.tables import TransferStatus
from marketplace.matching.transfers import act, announce_request, insert_transfer, pass_over, set_answer_deadline
from marketplace.network.closures import closures_for, closures_of
from marketplace.network.rules import get_rules
from marketplace.outbox.messages import emit
from marketplace.pickup.readiness import ready_at
from marketplace.pickup.tables import CustomerOrder, OrderEvent

NOT_IN_TIME = "not accepted in time"
NEAREST_CHECKED = 10  # holders checked for "can still make the promised day", nearest first


async def _event(order_id: int, kind: str, dealer: int | None = None, transfer: int | None = None, **detail) -> None:
    await OrderEvent.insert(OrderEvent(order=order_id, kind=kind, dealer=dealer, transfer=transfer,
                                       detail=json.loads(json.dumps(detail, default=str))))


async def _offer(connection, order_id: int, dealer_id: int, transfer_id: int, minutes: int, now: datetime) -> datetime:
    """Offer one line's transfer to its source: its deadline on the source's calendar, the timeline, the outbox."""
    accept_by = add_working_minutes(now, minutes, await closures_of(connection, dealer_id))
    await set_answer_deadline(connection, transfer_id, accept_by)
    await _event(order_id, "offered", dealer_id, transfer_id, accept_by=accept_by)
    return accept_by


async def offer_lines(connection, order_id: int, now: datetime) -> int:
    """The customer confirmed: each source dealer is offered its lines (in the confirming
    transaction). How many lines were offered."""
    minutes = (await get_rules()).order_accept_minutes
    rows = await connection.fetch(
        'SELECT l.transfer, l.source_dealer FROM order_line l JOIN transfer t ON t.id = l.transfer'
        " WHERE l.\"order\" = $1 AND t.status = 'requested' ORDER BY l.transfer", order_id)
    dealers: dict[int, datetime] = {}
    for row in rows:
        dealers[row["source_dealer"]] = await _offer(connection, order_id, row["source_dealer"], row["transfer"],
                                                     minutes, now)
        await announce_request(row["transfer"], {"order_id": order_id})
    for dealer_id, accept_by in dealers.items():
        await emit("order.offered", {"order_id": order_id, "dealer_id": dealer_id, "accept_by": accept_by.isoformat()})
    return len(rows)


async def accept_lines(principal: Principal, order_id: int) -> int:
    """A source dealer accepts all its lines of an order waiting for it: how many. 404 when it is
    not a source of the order; 409 when nothing waits for it (accepted already, passed over, the
    order cancelled)."""
    if not principal.is_dealer:
        raise Forbidden("a source dealer accepts its own lines", "dealer")
    async with CustomerOrder._meta.db.transaction() as tx:
        connection = tx.connection
        order = await connection.fetchrow("SELECT id, status FROM customer_order WHERE id = $1 FOR UPDATE", order_id)
        lines = [] if order is None else await connection.fetch(
            'SELECT l.transfer, t.status FROM order_line l JOIN transfer t ON t.id = l.transfer'
            ' WHERE l."order" = $1 AND l.source_dealer = $2 ORDER BY l.transfer', order_id, principal.dealer_id)
        if order is None or not lines:
            if order is not None and await connection.fetchval(
                    "SELECT 1 FROM order_event WHERE \"order\" = $1 AND kind = 'passed_over' AND dealer = $2",
                    order_id, principal.dealer_id):
                raise Conflict("too late: the order was passed to another dealer", "order", status="passed_over")
            raise NotFound(f"no order {order_id} offered to you", "order")
        if order["status"] != "placed":
            raise Conflict(f"the order is {order['status']}", "status", status=order["status"])
        waiting = [line["transfer"] for line in lines if line["status"] == TransferStatus.requested.value]
        if not waiting:
            raise Conflict("nothing waits for your acceptance in this order", "order", status="accepted")
        for transfer_id in waiting:
            await act(principal, transfer_id, "accept")  # the transfer's row lock and timeline, in this transaction
    return len(waiting)


# --- the sweeper: passing over ------------------------------------------------------------------

_DUE = """
SELECT DISTINCT l."order" FROM order_line l
JOIN transfer t ON t.id = l.transfer JOIN customer_order o ON o.id = l."order"
WHERE o.status = 'placed' AND ((t.status = 'requested' AND t.expires_at <= $1) OR t.status = 'declined')
LIMIT $2
"""


async def pass_over_due(now: datetime | None = None, batch: int = 100) -> int:
    """Pass over every line whose source declined or did not accept in time; each order in its
    own transaction (SKIP LOCKED: safe in every process at once, and again). Lines moved."""
    now = now or datetime.now(timezone.utc)
    async with CustomerOrder._meta.db.transaction() as tx:
        due = [row["order"] for row in await tx.connection.fetch(_DUE, now, batch)]
    moved = 0
    for order_id in due:
        async with CustomerOrder._meta.db.transaction() as tx:
            moved += await _pass_over_order(tx.connection, order_id, now)
    return moved


_LINES = """
SELECT l.id, l.part, l.quantity, l.source_dealer, l.transfer, t.status, t.expires_at, t.decline_reason,
       p.part_number
FROM order_line l JOIN transfer t ON t.id = l.transfer JOIN part p ON p.id = l.part
WHERE l."order" = $1 ORDER BY l.transfer FOR UPDATE OF t
"""
_POINT = """
SELECT p.id, p.dealer, p.lat, p.lon, p.opening_hours, p.lead_time_minutes, p.daily_capacity
FROM pickup_point p WHERE p.id = $1 FOR NO KEY UPDATE
"""


async def _pass_over_order(connection, order_id: int, now: datetime) -> int:
    order = await connection.fetchrow(
        "SELECT id, pickup_point, promised_for FROM customer_order WHERE id = $1 AND status = 'placed'"
        " FOR UPDATE SKIP LOCKED", order_id)
    if order is None:
        return 0
    lines = await connection.fetch(_LINES, order_id)
    point = dict(await connection.fetchrow(_POINT, order["pickup_point"]))
    hours = point["opening_hours"]
    point["opening_hours"] = json.loads(hours) if isinstance(hours, str) else hours
    rules = await get_rules()
    moved = 0
    for line in lines:
        if line["status"] == TransferStatus.requested.value and line["expires_at"] <= now:
            if not await pass_over(connection, line["transfer"], NOT_IN_TIME):
                continue
            reason = NOT_IN_TIME
        elif line["status"] == TransferStatus.declined.value:
            reason = f"declined: {line['decline_reason']}"  # the decline released the stock
        else:
            continue
        tried = {row["dealer"] for row in await connection.fetch(
            "SELECT dealer FROM order_event WHERE \"order\" = $1 AND kind = 'passed_over'"
            " AND (detail->>'part_id')::int = $2", order_id, line["part"])} | {line["source_dealer"]}
        source, price = await _next_holder(connection, point, line, tried, order["promised_for"], rules.transfer_days,
                                           now)
        if source is None:
            await _event(order_id, "passed_over", line["source_dealer"], line["transfer"], reason=reason,
                         part_id=line["part"], part_number=line["part_number"], to=None)
            await _unfilled(connection, order_id, line["part_number"])
            return moved + 1
        transfer_id = None
        if source != point["dealer"]:
            transfer_id = await insert_transfer(
                connection, requester=point["dealer"], supplier=source, part=line["part"], quantity=line["quantity"],
                unit_price=price, status=TransferStatus.requested, note=f"for click-and-collect order {order_id}",
                at=now, expires_at=now)
        await connection.execute("UPDATE order_line SET source_dealer = $2, transfer = $3 WHERE id = $1",
                                 line["id"], source, transfer_id)
        await _event(order_id, "passed_over", line["source_dealer"], line["transfer"], reason=reason,
                     part_id=line["part"], part_number=line["part_number"], to=source)
        if transfer_id is not None:
            accept_by = await _offer(connection, order_id, source, transfer_id, rules.order_accept_minutes, now)
            await announce_request(transfer_id, {"order_id": order_id})
            await emit("order.offered", {"order_id": order_id, "dealer_id": source, "accept_by": accept_by.isoformat()})
        moved += 1
    if moved:
        await _keep_or_move_promise(connection, order, point, now)
    return moved


async def _next_holder(connection, point: dict, line, tried: set[int], promised_for: date | None, days: int,
                       now: datetime) -> tuple[int | None, object]:
    """Reserve the line again: at the point's own dealer if it now holds it; else at the nearest
    holder not tried whose parts can be ready by the promised day; else the nearest at all.
    (dealer, transfer price), or (None, None) when no dealer holds it."""
    if point["dealer"] not in tried and await reserve(connection, point["dealer"], line["part"], line["quantity"]):
        return point["dealer"], None
    holders = [h for h in await holders_of(connection, line["part"], point["dealer"])
               if h["available"] >= line["quantity"] and h["dealer"] not in tried]
    if not holders:
        return None, None
    km = haversine_km_many(point["lat"], point["lon"], [h["lat"] or 0.0 for h in holders],
                           [h["lon"] or 0.0 for h in holders])
    nearest = [h for _, h in sorted(
        ((math.inf if h["lat"] is None else float(d), h) for h, d in zip(holders, km)), key=lambda pair: pair[0])]
    closed = await closures_for(connection, {h["dealer"] for h in nearest[:NEAREST_CHECKED]})
    point_closed = await closures_of(connection, point["dealer"])

    def in_time(holder) -> bool:
        if promised_for is None:
            return True
        arrival = add_working_days(now, days, closed.get(holder["dealer"], NO_CLOSURES))
        ready = ready_at(point["opening_hours"], point["lead_time_minutes"], arrival, point_closed)
        return ready is not None and ready.astimezone(ROME).date() <= promised_for

    first = [h for h in nearest[:NEAREST_CHECKED] if in_time(h)]
    for holder in first + [h for h in nearest if h not in first]:
        price = await reserve(connection, holder["dealer"], line["part"], line["quantity"])
        if price is not None:
            return holder["dealer"], price
    return None, None


async def _keep_or_move_promise(connection, order, point: dict, now: datetime) -> None:
    """After a line moved: when the order can no longer be ready on its promised day, the promise
    moves to the first day it can, and the customer is told."""
    from marketplace.pickup.orders import promised_day  # orders imports this module's neighbours

    sources = {row["source_dealer"] for row in await connection.fetch(
        'SELECT l.source_dealer FROM order_line l LEFT JOIN transfer t ON t.id = l.transfer'
        " WHERE l.\"order\" = $1 AND l.source_dealer <> $2 AND (t.status IS NULL OR t.status IN ('requested', 'accepted'))",
        order["id"], point["dealer"])}
    day = await promised_day(connection, point, sources, now)
    if day is None or order["promised_for"] is None or day <= order["promised_for"]:
        return
    await connection.execute("UPDATE customer_order SET promised_for = $2, updated_at = now() WHERE id = $1",
                             order["id"], day)
    await _event(order["id"], "promise_moved", before=order["promised_for"], after=day)
    await emit("order.delayed", {"order_id": order["id"], "to": "customer", "promised_for": day.isoformat()})


async def _unfilled(connection, order_id: int, part_number: str) -> None:
    """No dealer holds a line any more: the order is cancelled, its stock released, the customer
    and the store told."""
    from marketplace.pickup.lifecycle import release_order

    await release_order(connection, order_id)
    await connection.execute("UPDATE customer_order SET status = 'cancelled', updated_at = now() WHERE id = $1", order_id)
    await _event(order_id, "unfilled", part_number=part_number)
    await emit("order.cancelled", {"order_id": order_id, "by": "network"})
    await emit("order.withdrawn", {"order_id": order_id, "to": "store"})


# --- reading: the order's timeline and a dealer's offers ----------------------------------------

_TIMELINE = """
SELECT e.at, e.kind, d.code AS dealer, e.transfer, e.detail, 'system' AS actor FROM order_event e
LEFT JOIN dealer d ON d.id = e.dealer WHERE e."order" = $1
UNION ALL
SELECT te.at, te.to_status AS kind, d.code AS dealer, te.transfer, te.detail, te.actor FROM transfer_event te
JOIN transfer t ON t.id = te.transfer JOIN dealer d ON d.id = t.supplier
WHERE te.transfer IN (SELECT transfer FROM order_event WHERE "order" = $1 AND transfer IS NOT NULL)
  AND te.to_status IN ('accepted', 'declined', 'shipped', 'received')
ORDER BY at, kind
"""


async def order_timeline(connection, order_id: int) -> list[dict]:
    """Every offer, acceptance, pass-over (with its reason), shipment and promise moved, oldest first."""
    rows = []
    for row in await connection.fetch(_TIMELINE, order_id):
        item = dict(row)
        item["detail"] = json.loads(item["detail"]) if isinstance(item["detail"], str) else (item["detail"] or {})
        if "accept_by" in item["detail"]:
            item["detail"]["accept_by"] = datetime.fromisoformat(item["detail"]["accept_by"])
        rows.append(item)
    return rows


_OFFERS = """
SELECT o.id AS order_id, o.promised_for, pp.name AS point_name, pp.city AS point_city, rq.code AS requester,
       t.id AS transfer_id, t.expires_at AS accept_by, t.quantity, pa.part_number, pa.description
FROM order_line l JOIN customer_order o ON o.id = l."order" JOIN transfer t ON t.id = l.transfer
JOIN pickup_point pp ON pp.id = o.pickup_point JOIN dealer rq ON rq.id = pp.dealer JOIN part pa ON pa.id = l.part
WHERE l.source_dealer = $1 AND t.status = 'requested' AND o.status = 'placed'
ORDER BY t.expires_at, o.id, pa.part_number
LIMIT 200
"""


async def offers_for(connection, dealer_id: int) -> list[dict]:
    """Orders' lines waiting for this dealer's acceptance, the most urgent first, grouped by order."""
    orders: dict[int, dict] = {}
    for row in await connection.fetch(_OFFERS, dealer_id):
        order = orders.setdefault(row["order_id"], {
            "order_id": row["order_id"], "promised_for": row["promised_for"], "point_name": row["point_name"],
            "point_city": row["point_city"], "requester": row["requester"], "accept_by": row["accept_by"], "lines": []})
        order["lines"].append({"transfer_id": row["transfer_id"], "part_number": row["part_number"],
                               "description": row["description"], "quantity": row["quantity"]})
        order["accept_by"] = min(order["accept_by"], row["accept_by"])
    return list(orders.values())
