"""Urgent needs in radius waves: a clerk posts a need (part, quantity, deadline) instead of picking
a holder; it reaches the holders within the network's first radius, then the second, then the
whole network, one wave every ``urgent_wave_minutes``, then (``urgent_central_wave``) the central
warehouse as a wave of its own. A wave that finds no new holder is skipped at once.

The first holder to commit gets it, exactly one: a commit takes the need's row lock, and only a
need still open can be taken; the taker's stock is reserved by the transfers' own rule
(``transfers._reserve``: shared, available) and the need becomes a normal transfer, already
accepted, which the taker then ships. Others see it taken. With no taker after the last wave (or
by its deadline) the need expires and the clerk is told (``urgent_need.expired``).

Lock order: the need's row, then the taker's stock row (reserve), then the transfer insert. The
sweeper locks need rows only (SKIP LOCKED), so it never waits on a commit nor deadlocks with one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from marketplace.accounts.principal import Principal
from marketplace.calendar import add_working_hours
from marketplace.errors import Conflict, Forbidden, Invalid, NotFound
from marketplace.geo.distance import haversine_km_many
from marketplace.inventory.availability import holders_of
from marketplace.matching.tables import TransferStatus, UrgentNeed, UrgentNeedStatus
from marketplace.matching.transfers import MAX_QUANTITY, _part_id, _record, _reserve, actor_of, insert_transfer
from marketplace.network.rules import NetworkRules, get_rules
from marketplace.outbox.messages import emit

MAX_AHEAD = timedelta(days=14)
DEFAULT_WORKING_HOURS = 8  # a need given no deadline: one working day
LAST_WAVE = 4


@dataclass(frozen=True, slots=True)
class NeedInput:
    part_number: str
    quantity: int
    needed_by: datetime | None = None
    note: str = ""


def _wave_of(rules: NetworkRules, km: float, central: bool) -> int | None:
    """The wave a holder at ``km`` from the requester belongs to (None: no wave reaches it)."""
    if central:
        return LAST_WAVE if rules.urgent_central_wave else None
    if km <= rules.urgent_first_radius_km:
        return 1
    if km <= rules.urgent_second_radius_km:
        return 2
    return 3


async def _holders_by_wave(connection, need: dict, rules: NetworkRules) -> dict[int, list[int]]:
    """The dealers holding the whole quantity (sellable, active), by the wave that reaches them."""
    holders = [h for h in await holders_of(connection, need["part"], need["requester"])
               if h["available"] >= need["quantity"]]
    if not holders:
        return {}
    origin = await connection.fetchrow("SELECT lat, lon FROM dealer WHERE id = $1", need["requester"])
    central = {row["id"] for row in await connection.fetch(
        "SELECT id FROM dealer WHERE id = ANY($1::int[]) AND is_central_warehouse", [h["dealer"] for h in holders])}
    if origin["lat"] is None:
        km = [math.inf] * len(holders)
    else:
        km = [math.inf if h["lat"] is None else float(d) for h, d in zip(holders, haversine_km_many(
            origin["lat"], origin["lon"], [h["lat"] or 0.0 for h in holders], [h["lon"] or 0.0 for h in holders]))]
    waves: dict[int, list[tuple[float, int]]] = {}
    for holder, distance in zip(holders, km):
        wave = _wave_of(rules, distance, holder["dealer"] in central)
        if wave is not None:
            waves.setdefault(wave, []).append((distance, holder["dealer"]))
    return {wave: [dealer for _, dealer in sorted(found)] for wave, found in waves.items()}


async def _send_waves(connection, need: dict, rules: NetworkRules, now: datetime) -> int:
    """Send the need's next wave that reaches someone new (skipping empty ones): the wave sent, or
    LAST_WAVE + 1 when none is left. Sets when the next one goes (after the last: when it expires)."""
    by_wave = await _holders_by_wave(connection, need, rules)
    reached = {row["dealer"] for row in await connection.fetch(
        "SELECT dealer FROM urgent_need_reach WHERE need = $1", need["id"])}
    wave = need["wave"]
    while wave < LAST_WAVE:
        wave += 1
        new = [dealer for dealer in by_wave.get(wave, []) if dealer not in reached]
        if new:
            await connection.executemany(
                "INSERT INTO urgent_need_reach (need, dealer, wave, reached_at) VALUES ($1, $2, $3, $4)"
                " ON CONFLICT DO NOTHING", [(need["id"], dealer, wave, now) for dealer in new])
            await emit("urgent_need.posted", {"need_id": need["id"], "dealer_ids": new, "wave": wave})
            break
    else:
        wave = LAST_WAVE + 1
    await connection.execute("UPDATE urgent_need SET wave = $2, next_wave_at = $3 WHERE id = $1",
                             need["id"], min(wave, LAST_WAVE), now + timedelta(minutes=rules.urgent_wave_minutes))
    return wave


def _check(need: NeedInput, now: datetime) -> datetime:
    if not isinstance(need.quantity, int) or not 1 <= need.quantity <= MAX_QUANTITY:
        raise Invalid(f"the quantity must be a whole number from 1 to {MAX_QUANTITY}", "quantity")
    needed_by = need.needed_by or add_working_hours(now, DEFAULT_WORKING_HOURS)
    if needed_by.tzinfo is None:
        raise Invalid("give the deadline with its time zone", "needed_by")
    if needed_by <= now:
        raise Invalid("the deadline has passed", "needed_by")
    if needed_by > now + MAX_AHEAD:
        raise Invalid("at most 14 days ahead: an urgent need is for days, not weeks", "needed_by")
    if len(need.note) > 2000:
        raise Invalid("a note of at most 2000 characters", "note")
    return needed_by


async def post_need(principal: Principal, need: NeedInput, now: datetime | None = None) -> int:
    """Post an urgent need and send its first wave: the need's id."""
    if not principal.is_dealer:
        raise Forbidden("only a dealer posts an urgent need", "requester")
    now = now or datetime.now(timezone.utc)
    needed_by = _check(need, now)
    part_id = await _part_id(need.part_number)
    rules = await get_rules()
    async with UrgentNeed._meta.db.transaction() as tx:
        connection = tx.connection
        need_id = await connection.fetchval(
            "INSERT INTO urgent_need (requester, part, quantity, needed_by, note, posted_by, status, wave, next_wave_at,"
            " created_at) VALUES ($1, $2, $3, $4, $5, $6, 'open', 0, $7, $7) RETURNING id",
            principal.dealer_id, part_id, need.quantity, needed_by, need.note.strip(), actor_of(principal), now)
        row = await connection.fetchrow("SELECT * FROM urgent_need WHERE id = $1", need_id)
        await _send_waves(connection, dict(row), rules, now)
    return need_id


async def commit(principal: Principal, need_id: int, now: datetime | None = None) -> int:
    """A holder the need reached commits to it: the need is its, as an accepted transfer (the
    transfer's id). 409 when another holder took it first, or it expired; 409 with ``available``
    when the holder no longer has the quantity; 404 when the need did not reach this dealer."""
    if not principal.is_dealer:
        raise Forbidden("a holder commits with its own stock", "dealer")
    now = now or datetime.now(timezone.utc)
    async with UrgentNeed._meta.db.transaction() as tx:
        connection = tx.connection
        need = await connection.fetchrow("SELECT * FROM urgent_need WHERE id = $1 FOR UPDATE", need_id)
        if need is None or not await connection.fetchval(
                "SELECT 1 FROM urgent_need_reach WHERE need = $1 AND dealer = $2", need_id, principal.dealer_id):
            raise NotFound(f"no urgent need {need_id} in your range", "need")
        if need["status"] == UrgentNeedStatus.taken.value:
            raise Conflict("another dealer took this need first", "need", status="taken")
        if need["status"] != UrgentNeedStatus.open.value or need["needed_by"] <= now:
            raise Conflict("this need has expired", "need", status="expired")
        price = await _reserve(connection, principal.dealer_id, need["part"], need["quantity"])
        transfer_id = await insert_transfer(
            connection, requester=need["requester"], supplier=principal.dealer_id, part=need["part"],
            quantity=need["quantity"], unit_price=price, status=TransferStatus.accepted,
            note=f"urgent need {need_id}" + (f": {need['note']}" if need["note"] else ""), at=now, expires_at=now)
        await connection.execute(
            "UPDATE urgent_need SET status = 'taken', taker = $2, transfer = $3, closed_at = $4 WHERE id = $1",
            need_id, principal.dealer_id, transfer_id, now)
        await _record(transfer_id, actor_of(principal), None, TransferStatus.accepted.value,
                      {"urgent_need_id": need_id, "quantity": need["quantity"], "unit_price": price})
        await emit("urgent_need.taken", {"need_id": need_id, "dealer_id": principal.dealer_id,
                                         "requester_id": need["requester"], "transfer_id": transfer_id})
    return transfer_id


async def cancel_need(principal: Principal, need_id: int) -> None:
    """The clerk withdraws an open need (found elsewhere)."""
    async with UrgentNeed._meta.db.transaction() as tx:
        need = await tx.connection.fetchrow("SELECT requester, status FROM urgent_need WHERE id = $1 FOR UPDATE",
                                            need_id)
        if need is None or need["requester"] != principal.dealer_id:
            raise NotFound(f"no urgent need {need_id} of yours", "need")
        if need["status"] != UrgentNeedStatus.open.value:
            raise Conflict(f"the need is {need['status']}", "status", status=need["status"])
        await tx.connection.execute(
            "UPDATE urgent_need SET status = 'cancelled', closed_at = now() WHERE id = $1", need_id)


_DUE = """
SELECT * FROM urgent_need WHERE status = 'open' AND (next_wave_at <= $1 OR needed_by <= $1)
ORDER BY next_wave_at LIMIT $2 FOR UPDATE SKIP LOCKED
"""


async def advance_urgent_needs(now: datetime | None = None, batch: int = 200) -> int:
    """Send the waves that are due, and expire the needs past their last wave or their deadline
    (the clerk is told). Safe in every process at once (SKIP LOCKED) and again. Needs moved on."""
    now = now or datetime.now(timezone.utc)
    rules = await get_rules()
    async with UrgentNeed._meta.db.transaction() as tx:
        connection = tx.connection
        due = await connection.fetch(_DUE, now, batch)
        for need in due:
            if need["needed_by"] <= now or need["wave"] >= LAST_WAVE or \
                    await _send_waves(connection, dict(need), rules, now) > LAST_WAVE:
                await connection.execute(
                    "UPDATE urgent_need SET status = 'expired', closed_at = $2 WHERE id = $1", need["id"], now)
                await emit("urgent_need.expired", {"need_id": need["id"], "dealer_id": need["requester"]})
    return len(due)


# --- reading ------------------------------------------------------------------------------------

_COLUMNS = """
n.id, n.quantity, n.needed_by, n.note, n.status, n.wave, n.next_wave_at, n.created_at, n.closed_at, n.transfer,
p.part_number, p.description, rq.code AS requester, rq.name AS requester_name, rq.city AS requester_city,
tk.code AS taker, tk.name AS taker_name
"""
_FROM = """
FROM urgent_need n JOIN part p ON p.id = n.part JOIN dealer rq ON rq.id = n.requester
LEFT JOIN dealer tk ON tk.id = n.taker
"""


async def my_needs(connection, dealer_id: int, limit: int = 50) -> list[dict]:
    """The needs the dealer posted, newest first, with how far they reached."""
    rows = await connection.fetch(
        f"SELECT {_COLUMNS}, (SELECT count(*) FROM urgent_need_reach r WHERE r.need = n.id) AS reached"
        f" {_FROM} WHERE n.requester = $1 ORDER BY n.created_at DESC LIMIT $2", dealer_id, limit)
    return [dict(row) for row in rows]


async def needs_in_range(connection, dealer_id: int, now: datetime | None = None, limit: int = 50) -> list[dict]:
    """The needs that reached the dealer: open ones first (the earliest deadline first), then those
    closed in the last 7 days (taken by someone, expired), so it sees what it missed."""
    now = now or datetime.now(timezone.utc)
    rows = await connection.fetch(
        f"SELECT {_COLUMNS}, r.wave AS reached_in_wave {_FROM} JOIN urgent_need_reach r ON r.need = n.id AND r.dealer = $1"
        " WHERE n.status = 'open' OR n.closed_at >= $2"
        " ORDER BY n.status <> 'open', n.needed_by LIMIT $3", dealer_id, now - timedelta(days=7), limit)
    return [dict(row) for row in rows]


async def get_need(connection, principal: Principal, need_id: int) -> dict:
    """One need, for its requester, a dealer it reached, or a manager."""
    row = await connection.fetchrow(f"SELECT {_COLUMNS}, n.requester AS requester_id {_FROM} WHERE n.id = $1", need_id)
    if row is None or not (principal.is_manager or principal.dealer_id == row["requester_id"] or await connection.fetchval(
            "SELECT 1 FROM urgent_need_reach WHERE need = $1 AND dealer = $2", need_id, principal.dealer_id)):
        raise NotFound(f"no urgent need {need_id}", "need")
    return dict(row)

