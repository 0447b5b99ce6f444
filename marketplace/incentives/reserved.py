"""Priority and reserved stock for small provincial dealers.

The central warehouse's fast movers (the top ``fast_movers`` parts by units the network asked for
in the last ``demand_days`` days: transfer requests and online order lines) are reserved for the
provincial tier for ``reservation_hours``: while a reservation runs, only provincial dealers (and
the warehouse itself) see that central stock as sellable; after it, everyone does (see
inventory/availability.py, where sellable stock is defined). A round of reservations is made by
:func:`reserve_fast_movers` (a manager's button, the demo; the lead may schedule it).

Provincial dealers' transfer requests are also served first by the central warehouse: its inbox
lists them first (:data:`PRIORITY_FIRST`, used by matching/queries.py's inbox).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from marketplace.db import raw_connection
from marketplace.incentives.rules import rules_at

#: The tier whose requests the central warehouse serves first and for whom fast movers are held.
PRIORITY_TIER = "provincial"
#: ORDER BY key (ascending) for a query of the ``transfer`` table: the priority tier's requests first.
PRIORITY_FIRST = f"(SELECT d.tier <> '{PRIORITY_TIER}' FROM dealer d WHERE d.id = transfer.requester)"

_DEMAND = """
WITH demand AS (
    SELECT t.part, sum(t.requested_quantity)::int AS units FROM transfer t WHERE t.created_at >= $1 GROUP BY t.part
    UNION ALL
    SELECT l.part, sum(l.quantity)::int FROM order_line l JOIN customer_order o ON o.id = l."order"
    WHERE o.created_at >= $1 GROUP BY l.part
)
SELECT part, sum(units)::int AS units FROM demand GROUP BY part ORDER BY units DESC, part LIMIT $2
"""

_RESERVE = """
INSERT INTO reserved_part (part, dealer, demand, reserved_from, reserved_until, rules_version)
SELECT s.part, s.dealer, f.units, $3, $4, $5
FROM unnest($1::int[], $2::int[]) AS f(part, units)
JOIN stock_item s ON s.part = f.part AND s.shared AND s.on_hand > s.reserved
JOIN dealer d ON d.id = s.dealer AND d.is_central_warehouse AND d.active
WHERE NOT EXISTS (SELECT 1 FROM reserved_part r WHERE r.part = s.part AND r.dealer = s.dealer
                  AND r.reserved_until > $3)
"""


async def fast_movers(now: datetime | None = None) -> list[tuple[int, int]]:
    """(part, units asked) of the network's top parts by demand in the window, most asked first."""
    now = now or datetime.now(timezone.utc)
    rules = await rules_at(now)
    async with raw_connection() as connection:
        rows = await connection.fetch(_DEMAND, now - timedelta(days=rules.demand_days), rules.fast_movers)
    return [(r["part"], r["units"]) for r in rows]


async def reserve_fast_movers(now: datetime | None = None) -> int:
    """A round: each fast mover the central warehouse has, not reserved already, is reserved for
    the provincial tier from ``now`` for the rules' window. The rows reserved."""
    now = now or datetime.now(timezone.utc)
    rules = await rules_at(now)
    movers = await fast_movers(now)
    if not movers:
        return 0
    async with raw_connection() as connection:
        status = await connection.execute(_RESERVE, [p for p, _ in movers], [u for _, u in movers], now,
                                          now + timedelta(hours=rules.reservation_hours), rules.version)
    return int(status.rsplit(" ", 1)[-1])


async def reservations(now: datetime | None = None, *, active_only: bool = True, limit: int = 200) -> list[dict]:
    """Reservations (running ones by default), latest first, with the part and the warehouse."""
    now = now or datetime.now(timezone.utc)
    async with raw_connection() as connection:
        rows = await connection.fetch(
            "SELECT r.id, r.part, p.part_number, p.description, d.code AS dealer_code, r.demand, r.reserved_from,"
            " r.reserved_until, r.rules_version, (r.reserved_from <= $1 AND $1 < r.reserved_until) AS running"
            " FROM reserved_part r JOIN part p ON p.id = r.part JOIN dealer d ON d.id = r.dealer"
            " WHERE NOT $2 OR (r.reserved_from <= $1 AND $1 < r.reserved_until)"
            " ORDER BY r.reserved_until DESC, r.demand DESC, r.id LIMIT $3", now, active_only, limit)
    return [dict(r) for r in rows]
