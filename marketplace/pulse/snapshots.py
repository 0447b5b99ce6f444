"""The monthly aged-stock snapshot per dealer: taken at the month's change by the sweeper (once,
ON CONFLICT keeps it so when several processes sweep), so the aged stock's trend is history."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from marketplace.db import raw_connection
from marketplace.pulse.kpis import as_of_day
from marketplace.settlement.periods import check_period, period_bounds, period_of

# Every active dealer's stock on hand without a movement for 9 / 12 months or more before the
# month's last day, at unit cost, from its rows as the feeds show them when the snapshot is taken.
_TAKE = """
INSERT INTO aged_stock_snapshot (dealer, period, units_9, value_9, units_12, value_12, taken_at)
SELECT d.id, $1,
       coalesce(sum(s.on_hand), 0)::int,
       coalesce(sum(s.on_hand * s.unit_cost), 0)::numeric(14, 2),
       coalesce(sum(s.on_hand) FILTER (WHERE s.last_movement_date <= ($2::date - interval '12 months')::date), 0)::int,
       coalesce(sum(s.on_hand * s.unit_cost) FILTER (
           WHERE s.last_movement_date <= ($2::date - interval '12 months')::date), 0)::numeric(14, 2),
       $3
FROM dealer d
LEFT JOIN stock_item s ON s.dealer = d.id AND s.on_hand > 0 AND s.unit_cost IS NOT NULL
                      AND s.last_movement_date <= ($2::date - interval '9 months')::date
WHERE d.active
GROUP BY d.id
ON CONFLICT (dealer, period) DO NOTHING
"""


async def take_snapshot(period: str, now: datetime | None = None) -> int:
    """Snapshot every active dealer's aged stock for the month (not again for a dealer that has
    one); how many were taken."""
    now = now or datetime.now(timezone.utc)
    _, end = period_bounds(check_period(period))
    async with raw_connection() as connection:
        status = await connection.execute(_TAKE, period, as_of_day(min(end, now)), now)
    return int(status.split()[-1])


async def snapshot_closed_month(now: datetime | None = None) -> int:
    """At the month's change: the month just closed, unless already taken; how many were taken."""
    now = now or datetime.now(timezone.utc)
    start, _ = period_bounds(period_of(now))
    closed = period_of(start - timedelta(seconds=1))
    async with raw_connection() as connection:
        if await connection.fetchval("SELECT EXISTS (SELECT 1 FROM aged_stock_snapshot WHERE period = $1)", closed):
            return 0
    return await take_snapshot(closed, now)

