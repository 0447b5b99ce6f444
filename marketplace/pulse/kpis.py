"""The network pulse's figures, each defined once, for a month and a scope (the network or one dealer).

docs/kpis.md states every definition in words and works one month out by hand. This first slice
aggregates the primary tables (transfer, transfer_event, search_history, stock_item, customer_order,
ledger) on each call; monthly snapshots and rollups maintained as transactions happen come later
(the aged stock's trend needs them, and the dashboard's speed target too).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from marketplace.calendar import ROME, add_working_days
from marketplace.db import raw_connection, read_connection
from marketplace.errors import Invalid, NotFound
from marketplace.network.rules import get_rules
from marketplace.settlement.periods import check_period, period_bounds

FILL_WORKING_DAYS = 3  # a line counts as filled when received by the end of the 3rd working day after it was asked
AGED_MONTHS = 12  # stock with no movement for this long is aged
ACTIVE_DAYS = 30  # a dealer that searched, requested or published within this many days is active


@dataclass(frozen=True, slots=True)
class Scope:
    """The network (``dealer_id`` None) or one dealer."""

    dealer_id: int | None = None
    dealer_code: str | None = None

    @property
    def name(self) -> str:
        return f"dealer:{self.dealer_code}" if self.dealer_code else "network"


NETWORK = Scope()


@dataclass(frozen=True, slots=True)
class Kpis:
    period: str
    scope: str
    time_saved_minutes: int
    requests_completed: int
    fill_rate: float | None  # None when nothing was asked
    time_to_fill_p50_hours: float | None  # None when nothing was received
    aged_stock_value: Decimal
    aged_stock_value_change_pct: float | None  # None until monthly snapshots exist (next slice)
    aged_stock_sold_units: int
    aged_stock_sold_value: Decimal
    active_dealers: int
    online_orders: int
    referral_earned: Decimal
    pickup_fees: Decimal


async def dealer_scope(code: str) -> Scope:
    """The scope of the dealer with that code; NotFound naming ``dealer`` otherwise."""
    code = (code or "").strip().upper()
    async with raw_connection() as connection:  # the primary: a dealer created a moment ago is found
        found = await connection.fetchval("SELECT id FROM dealer WHERE code = $1", code) if code else None
    if found is None:
        raise NotFound(f"no dealer {code or '(empty)'}", "dealer")
    return Scope(found, code)


def month_window(period: str, now: datetime | None = None) -> tuple[datetime, datetime, datetime]:
    """The month's first instant, the next month's, and the moment its stock figures are taken at:
    the month's end once it is over, now while it runs. A month not begun is refused."""
    start, end = period_bounds(check_period(period))
    now = now or datetime.now(timezone.utc)
    if start > now:
        raise Invalid("a month that has begun", "period")
    return start, end, min(end, now)


async def kpis(period: str, scope: Scope = NETWORK, now: datetime | None = None) -> Kpis:
    """Every figure of one month for one scope."""
    start, end, as_of = month_window(period, now)
    baseline = (await get_rules()).phone_minutes_per_line
    dealer = scope.dealer_id
    async with read_connection() as connection:
        completed = await _completed_requests(connection, start, end, dealer)
        asked = await _asked_lines(connection, start, end, dealer)
        aged_value = await _aged_stock_value(connection, as_of, dealer)
        sold_units, sold_value = await _aged_stock_sold(connection, start, end, dealer)
        active = await _active_dealers(connection, as_of, dealer)
        orders = await _online_orders(connection, start, end, dealer)
        money = await _ledger_totals(connection, period, dealer)
    hours = [(r["received_at"] - r["created_at"]).total_seconds() / 3600 for r in completed]
    return Kpis(
        period=period, scope=scope.name,
        time_saved_minutes=round(sum(minutes_saved(r["created_at"], r["searched_at"], baseline) for r in completed)),
        requests_completed=len(completed),
        fill_rate=fill_rate(asked, now or datetime.now(timezone.utc)),
        time_to_fill_p50_hours=round(statistics.median(hours), 1) if hours else None,
        aged_stock_value=aged_value, aged_stock_value_change_pct=None,
        aged_stock_sold_units=sold_units, aged_stock_sold_value=sold_value,
        active_dealers=active, online_orders=orders,
        referral_earned=money.get("referral", Decimal("0.00")), pickup_fees=money.get("pickup_fee", Decimal("0.00")),
    )


def _mine(column: str, param: int, dealer: int | None) -> str:
    """The scope's condition on ``column``: that dealer, or for the network none (still naming the
    parameter, so both scopes pass the same arguments). Written per scope rather than as
    ``$n IS NULL OR column = $n``, so a dealer's query uses the index on its column even under a
    generic plan (the home page asks for a dealer's figures on every visit)."""
    return f"{column} = ${param}" if dealer is not None else f"${param}::int IS NULL"


# --- time saved, requests completed, time to fill -----------------------------------------------

def minutes_saved(requested_at: datetime, searched_at: datetime | None, baseline: int) -> float:
    """Time saved on one completed request: the phone baseline less the portal time, which runs from
    the clerk's last search for the part to the request and is capped at the baseline. A request
    with no such search left in the history saves nothing: we do not claim what we cannot measure."""
    if searched_at is None:
        return 0.0
    portal = (requested_at - searched_at).total_seconds() / 60
    return baseline - min(baseline, portal)


# A request completed in the month: its part received then, requested by the scope. The search it
# came from: the requester's staff's latest search at or before the request that asked for the
# number requested (each query term reduced like inventory.normalize: spaces . / - out, upper case).
_COMPLETED = r"""
SELECT t.id, t.created_at, e.at AS received_at,
       (SELECT max(s.at) FROM search_history s JOIN network_user u ON u.id = s."user"
         WHERE u.dealer = t.requester AND s.at <= t.created_at
           AND p.normalized IN (SELECT upper(regexp_replace(term, '[\s./-]+', '', 'g'))
                                  FROM string_to_table(s.query, ';') AS term)) AS searched_at
FROM transfer t
JOIN transfer_event e ON e.transfer = t.id AND e.to_status = 'received'
JOIN part p ON p.id = t.requested_part
WHERE e.at >= $1 AND e.at < $2 AND {mine}
ORDER BY t.id
"""


async def _completed_requests(connection, start: datetime, end: datetime, dealer: int | None) -> list:
    return await connection.fetch(_COMPLETED.format(mine=_mine("t.requester", 3, dealer)), start, end, dealer)


# --- fill rate ------------------------------------------------------------------------------

# Every request the scope made in the month, bar the ones it cancelled itself, with when it arrived.
_ASKED = """
SELECT t.requester, t.requested_part, t.created_at,
       (SELECT min(e.at) FROM transfer_event e WHERE e.transfer = t.id AND e.to_status = 'received') AS received_at
FROM transfer t
WHERE t.created_at >= $1 AND t.created_at < $2 AND t.status <> 'cancelled' AND {mine}
"""


async def _asked_lines(connection, start: datetime, end: datetime, dealer: int | None) -> list:
    return await connection.fetch(_ASKED.format(mine=_mine("t.requester", 3, dealer)), start, end, dealer)


def fill_rate(requests: list, now: datetime) -> float | None:
    """Of the part lines the scope asked the network for in the month, the share received by the
    end of the third working day after the day asked. A line is one dealer's part on one day (Rome):
    a declined or expired request followed by another to a second supplier is still one line. A
    line not yet received whose three days have not run out by ``now`` is still pending: it counts
    neither way (a request made this morning is not a miss)."""
    lines: dict[tuple, list] = {}
    for r in requests:
        day = r["created_at"].astimezone(ROME).date()
        lines.setdefault((r["requester"], r["requested_part"], day), []).append(r)
    filled = judged = 0
    for asked in lines.values():
        deadline = add_working_days(min(r["created_at"] for r in asked), FILL_WORKING_DAYS + 1)
        hit = any(r["received_at"] is not None and r["received_at"] < deadline for r in asked)
        if hit or deadline <= now:
            judged += 1
            filled += hit
    return round(filled / judged, 4) if judged else None


# --- aged stock -----------------------------------------------------------------------------

# Stock on hand whose last movement (from the dealer's feed) is 12 months or more before the day
# the figure is taken, at unit cost (a row with no unit cost or no movement date is not counted).
# The network counts active dealers; a dealer its own rows.
_AGED_VALUE = """
SELECT coalesce(sum(s.on_hand * s.unit_cost), 0)::numeric(14, 2)
FROM stock_item s JOIN dealer d ON d.id = s.dealer
WHERE s.on_hand > 0 AND s.last_movement_date <= ($1::date - interval '12 months')::date
  AND {mine}
"""


async def _aged_stock_value(connection, as_of: datetime, dealer: int | None) -> Decimal:
    day = (as_of - timedelta(microseconds=1)).astimezone(ROME).date()  # the last day the figure covers
    # The network counts its active dealers' rows; a dealer its own.
    mine = _mine("s.dealer", 2, dealer) if dealer is not None else "d.active AND $2::int IS NULL"
    return await connection.fetchval(_AGED_VALUE.format(mine=mine), day, dealer)


# Units the scope sold through the network in the month from a row that was aged when sold: parts
# shipped on a transfer (dated by the shipment) and collected online orders filled from the seller's
# own stock (dated by the order; lines filled by a transfer count with the transfer). "Aged when
# sold" is judged on the row's last movement date as it stands, when that is before the sale: no
# snapshot of the row at the sale exists yet, and a row whose feed already shows a later movement
# cannot be judged and is not counted (the figure errs low).
_AGED_SOLD = """
WITH sold AS (
    SELECT t.supplier AS dealer, t.part, t.quantity, (e.at AT TIME ZONE 'Europe/Rome')::date AS day
    FROM transfer t JOIN transfer_event e ON e.transfer = t.id AND e.to_status = 'shipped'
    WHERE e.at >= $1 AND e.at < $2 AND {supplier}
  UNION ALL
    SELECT l.source_dealer, l.part, l.quantity, (o.created_at AT TIME ZONE 'Europe/Rome')::date
    FROM order_line l JOIN customer_order o ON o.id = l."order"
    WHERE o.status = 'collected' AND l.transfer IS NULL AND o.created_at >= $1 AND o.created_at < $2
      AND {seller}
)
SELECT coalesce(sum(sold.quantity), 0)::int AS units,
       coalesce(sum(sold.quantity * coalesce(s.unit_cost, 0)), 0)::numeric(14, 2) AS value
FROM sold JOIN stock_item s ON s.dealer = sold.dealer AND s.part = sold.part
WHERE s.last_movement_date <= (sold.day - interval '12 months')::date
"""


async def _aged_stock_sold(connection, start: datetime, end: datetime, dealer: int | None) -> tuple[int, Decimal]:
    sql = _AGED_SOLD.format(supplier=_mine("t.supplier", 3, dealer), seller=_mine("l.source_dealer", 3, dealer))
    row = await connection.fetchrow(sql, start, end, dealer)
    return row["units"], row["value"]


# --- adoption -------------------------------------------------------------------------------

# Active dealers that searched, requested a transfer or published a feed in the 30 days up to the
# moment the figure is taken (searches as far as the clerks' history keeps them: 10 per clerk).
_ACTIVE = """
SELECT count(*)::int FROM dealer d
WHERE d.active AND {mine} AND (
       EXISTS (SELECT 1 FROM search_history s JOIN network_user u ON u.id = s."user"
                WHERE u.dealer = d.id AND s.at > $1 AND s.at <= $2)
    OR EXISTS (SELECT 1 FROM transfer t WHERE t.requester = d.id AND t.created_at > $1 AND t.created_at <= $2)
    OR EXISTS (SELECT 1 FROM stock_feed f WHERE f.dealer = d.id AND f.applied AND f.received_at > $1
                                            AND f.received_at <= $2)
    OR (d.last_feed_at > $1 AND d.last_feed_at <= $2))
"""


async def _active_dealers(connection, as_of: datetime, dealer: int | None) -> int:
    sql = _ACTIVE.format(mine=_mine("d.id", 3, dealer))
    return await connection.fetchval(sql, as_of - timedelta(days=ACTIVE_DAYS), as_of, dealer)


# Online orders placed in the month that the customer confirmed (or that went on to be placed,
# readied or collected); a dealer's are those collected at its points or with a line it sold.
_ONLINE_ORDERS = """
SELECT count(*)::int FROM customer_order o JOIN pickup_point p ON p.id = o.pickup_point
WHERE o.created_at >= $1 AND o.created_at < $2
  AND (o.confirmed_at IS NOT NULL OR o.status IN ('placed', 'ready_for_pickup', 'collected'))
  AND {mine}
"""


async def _online_orders(connection, start: datetime, end: datetime, dealer: int | None) -> int:
    mine = _mine("p.dealer", 3, None) if dealer is None else (
        '(p.dealer = $3 OR EXISTS (SELECT 1 FROM order_line l WHERE l."order" = o.id AND l.source_dealer = $3))')
    return await connection.fetchval(_ONLINE_ORDERS.format(mine=mine), start, end, dealer)


# --- money ----------------------------------------------------------------------------------

# Referral commissions and pickup fees booked in the month's ledger period (reversals included,
# so a cancelled sale nets out); the network's figure is the total paid to dealers.
_LEDGER = """
SELECT l.kind, sum(l.amount)::numeric(14, 2) AS amount
FROM ledger_line l JOIN ledger_entry e ON e.id = l.entry
WHERE e.period = $1 AND l.kind IN ('referral', 'pickup_fee') AND l.dealer IS NOT NULL
  AND {mine}
GROUP BY l.kind
"""


async def _ledger_totals(connection, period: str, dealer: int | None) -> dict[str, Decimal]:
    sql = _LEDGER.format(mine=_mine("l.dealer", 2, dealer))
    return {r["kind"]: r["amount"] for r in await connection.fetch(sql, period, dealer)}
