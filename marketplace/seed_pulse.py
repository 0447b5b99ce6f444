"""The demo's network pulse: what the clerks searched (found and not), requests declined and left
to expire, phone orders, this month's first requests, the monthly aged-stock snapshots, and the
rollup of every month, so the dashboard and the scorecards are full on first start.

Runs after ``seed_history`` (its year of received transfers and collected orders) on the freshly
seeded database, writing the tables directly like the rest of the seeding (docs/architecture.md).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from marketplace.calendar import ROME
from marketplace.db import raw_connection
from marketplace.pulse.rollup import refresh
from marketplace.seed_history import history_months
from marketplace.settlement.periods import period_bounds, period_of

# How the year went: phone orders fall as the portal is adopted; aged stock falls by about 30%.
PHONE_ORDERS_FIRST_MONTH = 140
AGED_AT_JOINING = Decimal("1.43")  # the aged stock a year ago, against today's (-30% since)


async def seed_pulse(seed: int, now: datetime | None = None) -> None:
    now = now or datetime.now(timezone.utc)
    rng = random.Random(seed * 7919 + 13)
    months = history_months(now.astimezone(ROME).date())
    async with raw_connection() as connection:
        async with connection.transaction():
            stock = [tuple(r) for r in await connection.fetch(
                "SELECT s.dealer, s.part, s.transfer_price FROM stock_item s JOIN dealer d ON d.id = s.dealer"
                " WHERE s.on_hand > 0 AND s.shared AND NOT d.is_central_warehouse ORDER BY s.id")]
            dealers = [r["id"] for r in await connection.fetch(
                "SELECT id FROM dealer WHERE active AND NOT is_central_warehouse ORDER BY id")]
            clerks = {r["dealer"]: r["id"] for r in await connection.fetch(
                'SELECT DISTINCT ON (dealer) dealer, id FROM network_user WHERE dealer IS NOT NULL ORDER BY dealer, id')}
            numbers = {r["id"]: r["normalized"] for r in await connection.fetch("SELECT id, normalized FROM part")}
            if not stock or len(dealers) < 2:
                return
            await _searches_of_seeded_requests(connection, rng, clerks, numbers)
            for n, period in enumerate([*months, period_of(now)]):
                start, end = period_bounds(period)
                end = min(end, now - timedelta(hours=1))
                await _month(connection, rng, n, start, end, stock, dealers, clerks, numbers)
            await _snapshots(connection, rng, months, now)
    for period in [*months, period_of(now)]:
        await refresh(period, now)


async def _searches_of_seeded_requests(connection, rng: random.Random, clerks: dict, numbers: dict) -> None:
    """Most seeded requests came from a search minutes before (those made for an online order did
    not); a quarter of the parts shipped came from a row without a movement for over a year."""
    rows = await connection.fetch(
        "SELECT id, requester, requested_part, created_at, note FROM transfer WHERE search_line IS NULL ORDER BY id")
    lines, links, moved = [], [], []
    for r in rows:
        aged = rng.random() < 0.25
        moved.append((r["id"], (r["created_at"] - timedelta(days=rng.randint(400, 900) if aged
                                                             else rng.randint(5, 200))).date()))
        if r["note"] or rng.random() > 0.85:
            continue
        at = r["created_at"] - timedelta(minutes=rng.uniform(1.5, 11))
        lines.append((r["requester"], clerks.get(r["requester"]), numbers[r["requested_part"]], r["requested_part"],
                      [r["requested_part"]], 1, 0, True, at))
        links.append(r["id"])
    ids = await _insert_lines(connection, lines)
    await connection.executemany("UPDATE transfer SET search_line = $2 WHERE id = $1", list(zip(links, ids)))
    await connection.executemany("UPDATE transfer SET source_moved_on = $2 WHERE id = $1", moved)


async def _insert_lines(connection, lines: list[tuple]) -> list[int]:
    if not lines:
        return []
    ids = [r[0] for r in await connection.fetch(
        "SELECT nextval('search_line_id_seq') FROM generate_series(1, $1)", len(lines))]
    await connection.copy_records_to_table(
        "search_line", columns=["id", "dealer", "user", "number", "part", "parts", "quantity", "own_available", "found",
                                "at"], records=[(i, *line) for i, line in zip(ids, lines)])
    return ids


def _moment(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """A working hour (8-18, Rome) between the two moments."""
    for _ in range(20):
        at = start + (end - start) * rng.random()
        local = at.astimezone(ROME)
        if local.weekday() < 5 and 8 <= local.hour < 18:
            return at
    return start + (end - start) * rng.random()


async def _month(connection, rng: random.Random, n: int, start: datetime, end: datetime, stock: list, dealers: list,
                 clerks: dict, numbers: dict) -> None:
    """One month's searches that found nothing or were not followed by a request, declined and
    expired requests, phone orders (fewer as the year goes), and for the running month its requests."""
    if end <= start:
        return
    share = min(1.0, (end - start) / timedelta(days=30))
    running = n == 12
    lines = []
    for _ in range(int(rng.randint(40, 70) * share)):  # nobody had it
        dealer = rng.choice(dealers)
        lines.append((dealer, clerks.get(dealer), f"ZZ{rng.randint(10000, 99999)}", None, [], 1, 0, False,
                      _moment(rng, start, end)))
    for _ in range(int(rng.randint(25, 45) * share)):  # found, but asked of nobody through the portal
        _, part, _ = rng.choice(stock)
        dealer = rng.choice(dealers)
        lines.append((dealer, clerks.get(dealer), numbers[part], part, [part], 1, 0, True, _moment(rng, start, end)))
    await _insert_lines(connection, lines)

    # Requests declined or left to expire, each from a search; and in the running month, received ones.
    outcomes = ["declined"] * int(rng.randint(15, 30) * share) + ["expired"] * int(rng.randint(6, 14) * share)
    if running:
        outcomes += ["received"] * int(rng.randint(200, 280) * share)
    transfers, events, searches = [], [], []
    for outcome in outcomes:
        if outcome == "received" and end - timedelta(days=3) <= start:
            continue  # the month began too recently for a request to have arrived
        supplier, part, price = rng.choice(stock)
        requester = rng.choice(dealers)
        if running and outcome == "received" and clerks and rng.random() < 0.1:
            # The dealers with demo logins ask too: their scorecard opens with time saved this month.
            requester = rng.choice(sorted(clerks))
        if requester == supplier:
            continue
        at = _moment(rng, start, end - timedelta(days=3) if outcome == "received" else end)
        if outcome == "received" and at + timedelta(days=2) > end:
            continue
        searches.append((requester, clerks.get(requester), numbers[part], part, [part], 1, 0, True,
                         at - timedelta(minutes=rng.uniform(1.5, 9))))
        steps = {"declined": [("declined", timedelta(hours=rng.uniform(0.3, 3)))],
                 "expired": [("expired", timedelta(hours=4))],
                 "received": [("accepted", timedelta(hours=rng.uniform(0.2, 3))),
                              ("shipped", timedelta(hours=rng.uniform(4, 26))),
                              ("received", timedelta(hours=rng.uniform(30, 60)))]}[outcome]
        transfers.append((requester, supplier, part, price, outcome, at, steps))
    search_ids = await _insert_lines(connection, searches)
    for (requester, supplier, part, price, outcome, at, steps), search in zip(transfers, search_ids):
        transfer = await connection.fetchval(
            "INSERT INTO transfer (requester, supplier, part, requested_part, quantity, requested_quantity, unit_price,"
            " status, note, carrier, tracking, request_fingerprint, created_at, expires_at, updated_at, search_line,"
            " source_moved_on, decline_reason)"
            " VALUES ($1, $2, $3, $3, 1, 1, $4, $5, '', '', '', '', $6::timestamptz,"
            " $6::timestamptz + interval '4 hours', $7, $8, $9, $10)"
            " RETURNING id", requester, supplier, part, price, outcome, at, at + steps[-1][1], search,
            (at - timedelta(days=rng.randint(30, 700))).date(), "not_available" if outcome == "declined" else None)
        before = "requested"
        events.append((transfer, at, "system", None, "requested"))
        for after, delay in steps:
            events.append((transfer, at + delay, "system", before, after))
            before = after
    if events:
        await connection.copy_records_to_table(
            "transfer_event", columns=["transfer", "at", "actor", "from_status", "to_status"], records=events)

    phoned = int(PHONE_ORDERS_FIRST_MONTH * (1 - n / 16) * share * rng.uniform(0.85, 1.15))
    await connection.copy_records_to_table("phone_order", columns=["dealer", "user", "number", "at"], records=[
        (dealer := rng.choice(dealers), clerks.get(dealer), "", _moment(rng, start, end)) for _ in range(phoned)])


async def _snapshots(connection, rng: random.Random, months: list[str], now: datetime) -> None:
    """Each dealer's aged stock at the end of each of the 12 months: today's, scaled back along the
    year to about 1.43 times it a year ago (the network sold its way to -30%), with some noise."""
    today = now.astimezone(ROME).date()
    rows = await connection.fetch(
        """SELECT d.id,
                  coalesce(sum(s.on_hand) FILTER (WHERE s.last_movement_date <= ($1::date - interval '9 months')::date), 0)
                      AS units_9,
                  coalesce(sum(s.on_hand * s.unit_cost) FILTER (
                      WHERE s.last_movement_date <= ($1::date - interval '9 months')::date), 0) AS value_9,
                  coalesce(sum(s.on_hand) FILTER (WHERE s.last_movement_date <= ($1::date - interval '12 months')::date),
                           0) AS units_12,
                  coalesce(sum(s.on_hand * s.unit_cost) FILTER (
                      WHERE s.last_movement_date <= ($1::date - interval '12 months')::date), 0) AS value_12
           FROM dealer d LEFT JOIN stock_item s ON s.dealer = d.id AND s.on_hand > 0 AND s.unit_cost IS NOT NULL
           WHERE d.active GROUP BY d.id ORDER BY d.id""", today)
    records = []
    for r in rows:
        for n, period in enumerate(months):
            factor = AGED_AT_JOINING - (AGED_AT_JOINING - 1) * Decimal(n) / len(months)
            factor *= Decimal(str(round(rng.uniform(0.97, 1.03), 3)))
            _, end = period_bounds(period)
            records.append((r["id"], period, int(r["units_9"] * factor), (r["value_9"] * factor).quantize(Decimal("0.01")),
                            int(r["units_12"] * factor), (r["value_12"] * factor).quantize(Decimal("0.01")), end))
    await connection.copy_records_to_table(
        "aged_stock_snapshot", columns=["dealer", "period", "units_9", "value_9", "units_12", "value_12", "taken_at"],
        records=records)
