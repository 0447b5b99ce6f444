"""The monthly rollup: every dealer's and the network's figures of a month, stored so the dashboard
and the scorecards read one row each instead of aggregating the month's transactions per view.

A closed month is rolled up once (again only if asked); the open month is refreshed incrementally:
the sweeper recomputes that month alone, at most every ``REFRESH_MINUTES``. A page asking for a
month never rolled up computes and stores it then.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from marketplace.db import raw_connection
from marketplace.pulse.kpis import Kpis, compute, month_window
from marketplace.settlement.periods import period_bounds, period_of

REFRESH_MINUTES = 5

_UPSERT = """
INSERT INTO pulse_rollup (period, scope, figures, refreshed_at)
SELECT $1, s.scope, s.figures::jsonb, $4 FROM unnest($2::text[], $3::text[]) AS s(scope, figures)
ON CONFLICT (period, scope) DO UPDATE SET figures = excluded.figures, refreshed_at = excluded.refreshed_at
"""


def dealer_key(dealer_id: int) -> str:
    return f"dealer:{dealer_id}"


async def refresh(period: str, now: datetime | None = None) -> int:
    """Recompute and store the month's figures for the network and every dealer; how many rows."""
    now = now or datetime.now(timezone.utc)
    total, each = await compute(period, None, now)
    scopes = ["network", *(dealer_key(d) for d in each)]
    figures = [json.dumps(total.to_json()), *(json.dumps(k.to_json()) for k in each.values())]
    async with raw_connection() as connection:
        await connection.execute(_UPSERT, period, scopes, figures, now)
    return len(scopes)


LOCK = 0x70756C7365  # "pulse": one process refreshes at a time (every app process sweeps)


async def refresh_due(now: datetime | None = None) -> int:
    """The sweeper's step: the open month when its rollup is older than REFRESH_MINUTES, and the
    month just closed until it has been rolled up after its end (its last hours counted). While
    another process refreshes, this one leaves it (an advisory lock)."""
    async with raw_connection() as connection:
        if not await connection.fetchval("SELECT pg_try_advisory_lock($1)", LOCK):
            return 0
        try:
            return await _refresh_due(now)
        finally:
            await connection.execute("SELECT pg_advisory_unlock($1)", LOCK)


async def _refresh_due(now: datetime | None) -> int:
    now = now or datetime.now(timezone.utc)
    current = period_of(now)
    start, _ = period_bounds(current)
    closed = period_of(start - timedelta(seconds=1))
    async with raw_connection() as connection:
        rows = {r["period"]: r["refreshed_at"] for r in await connection.fetch(
            "SELECT period, refreshed_at FROM pulse_rollup WHERE scope = 'network' AND period = ANY($1::text[])",
            [current, closed])}
    done = 0
    if closed not in rows or rows[closed] < start:
        done += await refresh(closed, now)
    if current not in rows or rows[current] < now - timedelta(minutes=REFRESH_MINUTES):
        done += await refresh(current, now)
    return done


async def rolled_up(period: str, scopes: list[str], now: datetime | None = None) -> dict[str, Kpis]:
    """The stored figures of the month for those scopes (rolling the month up first if never done)."""
    month_window(period, now)  # refuses a bad or future month, naming the period
    query = "SELECT scope, figures FROM pulse_rollup WHERE period = $1 AND scope = ANY($2::text[])"
    async with raw_connection() as connection:
        rows = await connection.fetch(query, period, scopes)
        if not rows:
            await refresh(period, now)
            rows = await connection.fetch(query, period, scopes)
    return {r["scope"]: Kpis.from_json(json.loads(r["figures"]) if isinstance(r["figures"], str) else r["figures"])
            for r in rows}


async def months_of(scope: str, periods: list[str]) -> dict[str, Kpis]:
    """One scope's stored figures over several months (a trend): those never rolled up are absent."""
    async with raw_connection() as connection:
        rows = await connection.fetch(
            "SELECT period, figures FROM pulse_rollup WHERE scope = $1 AND period = ANY($2::text[])", scope, periods)
    return {r["period"]: Kpis.from_json(json.loads(r["figures"]) if isinstance(r["figures"], str) else r["figures"])
            for r in rows}


# The parsed rows of a month, kept while the month's rollup is unchanged (its latest refresh time
# is checked on every call: one indexed read instead of parsing 2,000 JSON documents per view).
_parsed: dict[str, tuple[datetime, dict[int, Kpis]]] = {}


async def all_dealers(period: str, now: datetime | None = None) -> dict[int, Kpis]:
    """Every dealer's stored figures of the month, by dealer id (rolling it up first if never done)."""
    month_window(period, now)
    async with raw_connection() as connection:
        stamp = await connection.fetchval(
            "SELECT max(refreshed_at) FROM pulse_rollup WHERE period = $1 AND scope = 'network'", period)
        if stamp is None:
            await refresh(period, now)
            stamp = await connection.fetchval(
                "SELECT max(refreshed_at) FROM pulse_rollup WHERE period = $1 AND scope = 'network'", period)
        kept = _parsed.get(period)
        if kept is not None and kept[0] == stamp:
            return kept[1]
        rows = await connection.fetch(
            "SELECT scope, figures FROM pulse_rollup WHERE period = $1 AND scope LIKE 'dealer:%'", period)
    parsed = {int(r["scope"].split(":")[1]): Kpis.from_json(json.loads(r["figures"]) if isinstance(r["figures"], str)
                                                           else r["figures"]) for r in rows}
    _parsed[period] = (stamp, parsed)
    return parsed
