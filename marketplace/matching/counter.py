"""The counter's shortcuts over the network search: a whole list from the nearest holders, what was
already asked today, the next holder after a refusal, and reordering a past line.

Every search goes through :func:`marketplace.matching.search.search` (the one entry point, which
records what was searched); every request through :func:`transfers.request_transfer_once`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone
from decimal import Decimal

from marketplace.accounts.principal import Principal
from marketplace.calendar import ROME, today
from marketplace.db import raw_connection
from marketplace.errors import Conflict, Invalid, NotFound
from marketplace.inventory.normalize import normalize_part_number
from marketplace.inventory.search_terms import clean_query, like_escape
from marketplace.matching.search import Holder, SearchResult, search
from marketplace.matching.transfers import TransferRequest, request_transfer_once


@dataclass(frozen=True, slots=True)
class PlanLine:
    """One line of "request all from the nearest": who, how many, at what price."""

    query: str
    part_number: str
    description: str
    supplier: str
    supplier_name: str
    distance_km: float | None
    quantity: int
    unit_price: Decimal
    requested_today: int | None  # the transfer already asked today for this part, if any

    @property
    def cost(self) -> Decimal:
        return self.unit_price * self.quantity


@dataclass(slots=True)
class Plan:
    lines: list[PlanLine] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # lines nobody in the network holds

    @property
    def total(self) -> Decimal:
        """The cost of the lines to request (those not already asked today)."""
        return sum((line.cost for line in self.lines if line.requested_today is None), Decimal("0.00"))


def nearest_holder(result: SearchResult, quantity: int, excluding: frozenset[str] = frozenset()) -> Holder | None:
    """The nearest holder with the whole quantity, else the nearest holder with some (ranked as searched)."""
    holders = [h for h in result.holders if h.dealer_code not in excluding and h.available > 0]
    whole = [h for h in holders if h.available >= quantity]
    return (whole or holders or [None])[0]


def plan_nearest(results: list[SearchResult], quantity: int, requested: dict[str, int]) -> Plan:
    """Each found part of a list from its nearest holder (the whole quantity where one has it);
    a part asked twice in the list is planned once; ``requested``: part number -> today's transfer."""
    plan, seen = Plan(), set()
    for result in results:
        holder = nearest_holder(result, quantity) if result.part_number else None
        if holder is None:
            plan.missing.append(result.part_number or result.query)
            continue
        if result.part_number in seen:
            continue
        seen.add(result.part_number)
        plan.lines.append(PlanLine(
            query=result.query, part_number=holder.part_number, description=result.description,
            supplier=holder.dealer_code, supplier_name=holder.dealer_name, distance_km=holder.distance_km,
            quantity=min(quantity, holder.available), unit_price=holder.transfer_price,
            requested_today=requested.get(result.part_number),
        ))
    return plan


_REQUESTED_TODAY = """
SELECT DISTINCT ON (p.normalized) p.normalized, t.id
FROM transfer t JOIN part p ON p.id = t.requested_part
WHERE t.requester = $1 AND t.created_at >= $2 AND t.status <> 'cancelled'
ORDER BY p.normalized, t.id DESC
"""


async def requested_today(dealer_id: int, chains_of_results: list[SearchResult]) -> dict[str, int]:
    """Each result's part number -> the dealer's latest transfer asked today (Rome) for it, over every
    number of each result's chain (asking for an older number counts for the newest)."""
    start = datetime.combine(today(), time(0), ROME).astimezone(timezone.utc)
    async with raw_connection() as connection:
        rows = await connection.fetch(_REQUESTED_TODAY, dealer_id, start)
    asked = {r["normalized"]: r["id"] for r in rows}
    found = {}
    for result in chains_of_results:
        if not result.part_number:
            continue
        numbers = [result.part_number, *result.replaces] + ([result.query] if result.match == "number" else [])
        ids = [asked[n] for n in map(normalize_part_number, numbers) if n in asked]
        if ids:
            found[result.part_number] = max(ids)
    return found


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one line of a list request became: a transfer, or a refusal with the stock left."""

    part_number: str
    supplier: str
    quantity: int
    transfer_id: int | None = None
    available: int | None = None  # refused: what the supplier has now


async def request_lines(principal: Principal, lines: list[tuple[str, str, int]], token: str | None) -> list[Outcome]:
    """Request each (supplier, part number, quantity), each on its own: a refusal (the stock went
    meanwhile) does not stop the others. ``token`` makes a double click one request per line."""
    outcomes = []
    for supplier, part_number, quantity in lines:
        key = f"page:{token}:{supplier}:{part_number}" if token else None
        try:
            transfer_id, _ = await request_transfer_once(principal, TransferRequest(supplier, part_number, quantity), key)
        except Conflict as refused:
            outcomes.append(Outcome(part_number, supplier, quantity, available=int(refused.extra.get("available", 0))))
            continue
        outcomes.append(Outcome(part_number, supplier, quantity, transfer_id=transfer_id))
    return outcomes


async def reorder(principal: Principal, part_number: str, quantity: int, token: str | None = None) -> Outcome:
    """Ask the network's current nearest holder for ``part_number`` (its newest number) again."""
    [result] = (await search(principal.dealer_id, part_number, quantity, user_id=principal.user_id))[:1]
    holder = nearest_holder(result, quantity)
    if result.status == "unknown_part" or holder is None:
        raise NotFound(f"nobody in the network has {part_number} now", "part_number")
    [outcome] = await request_lines(principal, [(holder.dealer_code, holder.part_number,
                                                 min(quantity, holder.available))], token)
    return outcome


HISTORY_DAYS = (30, 90, 365)
HISTORY_LINES = 100
HISTORY_KINDS = ("transfer", "order")

# What the dealer got from the network (transfers received) and what its customers ordered at its
# pickup points (read by a join on pickup's tables), newest first.
_HISTORY = """
SELECT h.* FROM (
    SELECT 'transfer' AS kind, t.id AS ref, t.updated_at AS at, p.id AS part_id, p.part_number, p.normalized,
           p.description, t.quantity, t.unit_price, t.status, d.code AS counterpart
    FROM transfer t JOIN part p ON p.id = t.part JOIN dealer d ON d.id = t.supplier
    WHERE t.requester = $1 AND t.status = 'received' AND t.updated_at >= $2
    UNION ALL
    SELECT 'order', o.id, o.created_at, p.id, p.part_number, p.normalized, p.description, l.quantity, l.unit_price,
           o.status, ''
    FROM order_line l JOIN customer_order o ON o.id = l."order" JOIN pickup_point pp ON pp.id = o.pickup_point
         JOIN part p ON p.id = l.part
    WHERE pp.dealer = $1 AND o.created_at >= $2 AND o.status <> 'unconfirmed'
) h
WHERE ($3 = '' OR h.kind = $3)
  AND ($4 = '' OR h.normalized LIKE $4 || '%' ESCAPE '\\' OR h.description ILIKE '%' || $5 || '%' ESCAPE '\\')
ORDER BY h.at DESC, h.ref DESC
LIMIT $6
"""


@dataclass(frozen=True, slots=True)
class HistoryLine:
    kind: str  # transfer (received from the network) | order (a customer's, at the dealer's pickup point)
    ref: int
    at: datetime
    part_id: int
    part_number: str
    description: str
    quantity: int
    unit_price: Decimal
    status: str
    counterpart: str  # the supplier's code for a transfer


async def history(dealer_id: int, text: str = "", kind: str = "", days: int = 90) -> list[HistoryLine]:
    """The dealer's latest lines (transfers received and customer orders) of the last ``days``,
    of one ``kind`` or both, whose number starts with ``text`` (typed any way) or whose description holds it."""
    if kind not in ("", *HISTORY_KINDS):
        raise Invalid("kind is transfer or order", "kind")
    if days not in HISTORY_DAYS:
        raise Invalid(f"days is one of {', '.join(map(str, HISTORY_DAYS))}", "days")
    text = clean_query(text)
    since = datetime.now(timezone.utc) - timedelta(days=days)
    async with raw_connection() as connection:
        rows = await connection.fetch(_HISTORY, dealer_id, since, kind, like_escape(normalize_part_number(text)),
                                      like_escape(text), HISTORY_LINES)
    return [HistoryLine(**{k: v for k, v in dict(r).items() if k != "normalized"}) for r in rows]
