"""Network search: who has these parts, nearest first, with the supersession chain resolved."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from enum import Enum
from itertools import combinations

import numpy as np

from marketplace.db import raw_connection
from marketplace.errors import Invalid
from marketplace.geo.distance import geodesic_km_many
from marketplace.inventory.normalize import normalize_part_number
from marketplace.network.directory import Directory, directory

MAX_NUMBERS = 50
MAX_QUANTITY = 100_000
HOLDERS_SHOWN = 50
AGED_DAYS = 365  # stock without a movement for a year is what the network should move first
_SEPARATORS = re.compile(r"[,;\t\r\n]+")


class Sort(str, Enum):
    distance = "distance"
    price = "price"
    aged_first = "aged_first"


@dataclass(slots=True)
class Holder:
    dealer_code: str
    dealer_name: str
    city: str
    distance_km: float | None
    available: int
    transfer_price: Decimal
    feed_age_hours: float | None
    part_number: str
    stock_age_days: int | None  # shown where the stock is aged (no movement for a year)
    generation: int = 0  # 0: the newest number of the chain
    favourite: bool = False


@dataclass(slots=True)
class SplitLine:
    dealer_code: str
    quantity: int


@dataclass(slots=True)
class SearchResult:
    query: str
    status: str  # found | not_found (in the catalog, but nobody has it) | unknown_part
    part_number: str | None = None  # the newest number of the chain: the one to ask for
    description: str = ""
    replaces: list[str] = field(default_factory=list)
    replaced_by: str | None = None  # when the number asked is superseded
    own_available: int = 0
    holders: list[Holder] = field(default_factory=list)
    holders_total: int = 0
    total_available: int = 0
    split: list[SplitLine] = field(default_factory=list)
    central: Holder | None = None


def split_query(text: str) -> list[str]:
    """Numbers pasted as a list: commas, semicolons, tabs or new lines separate them; spaces,
    dashes, dots and slashes inside a number are ignored."""
    numbers = [part.strip() for part in _SEPARATORS.split(text) if normalize_part_number(part)]
    if not numbers:
        raise Invalid("type or paste at least one part number", "q")
    if len(numbers) > MAX_NUMBERS:
        raise Invalid(f"at most {MAX_NUMBERS} part numbers at a time", "q")
    return numbers


# Every part in the chain of each number asked: up to the newest (generation 0), then down to
# every older number replaced by it. Depths are bounded, so even a corrupt cycle ends.
_CHAINS = """
WITH RECURSIVE up AS (
    SELECT p.normalized AS asked, p.id, p.superseded_by, 0 AS depth FROM part p WHERE p.normalized = ANY($1::text[])
    UNION ALL
    SELECT up.asked, p.id, p.superseded_by, up.depth + 1 FROM up JOIN part p ON p.id = up.superseded_by
    WHERE up.depth < 30
), newest AS (
    SELECT DISTINCT ON (asked) asked, id FROM up WHERE superseded_by IS NULL ORDER BY asked, depth DESC
), chain AS (
    SELECT asked, id, 0 AS generation FROM newest
    UNION ALL
    SELECT chain.asked, p.id, chain.generation + 1 FROM chain JOIN part p ON p.superseded_by = chain.id
    WHERE chain.generation < 30
)
SELECT chain.asked, chain.generation, p.id, p.part_number, p.normalized, p.description, p.superseded_by
FROM chain JOIN part p ON p.id = chain.id
ORDER BY chain.asked, chain.generation, p.normalized
"""

_HOLDINGS = """
SELECT part, dealer, on_hand - reserved AS available, transfer_price, last_movement_date
FROM stock_item WHERE part = ANY($1::int[]) AND shared AND on_hand > reserved
"""
_OWN = """
SELECT part, on_hand - reserved AS available FROM stock_item
WHERE dealer = $1 AND part = ANY($2::int[]) AND on_hand > reserved
"""


async def search(searcher_id: int, text: str, quantity: int = 1, sort: Sort = Sort.distance,
                 radius_km: float | None = None, favourites: frozenset[int] = frozenset()) -> list[SearchResult]:
    """One result per number asked, in the order asked."""
    if not 1 <= quantity <= MAX_QUANTITY:
        raise Invalid(f"the quantity must be between 1 and {MAX_QUANTITY}", "qty")
    if radius_km is not None and not 0 < radius_km <= 2000:
        raise Invalid("the radius must be between 0 and 2000 km", "radius_km")
    numbers = split_query(text)
    asked = [normalize_part_number(number) for number in numbers]
    network = await directory()
    async with raw_connection() as connection:
        chains: dict[str, list] = {}
        for row in await connection.fetch(_CHAINS, list(set(asked))):
            chains.setdefault(row["asked"], []).append(row)
        part_ids = list({row["id"] for chain in chains.values() for row in chain})
        holdings: dict[int, list] = {}
        own: dict[int, int] = {}
        if part_ids:
            for row in await connection.fetch(_HOLDINGS, part_ids):
                holdings.setdefault(row["part"], []).append(row)
            own = {row["part"]: row["available"] for row in await connection.fetch(_OWN, searcher_id, part_ids)}
    context = _Context(network, searcher_id, quantity, sort, radius_km, favourites, datetime.now(timezone.utc))
    return [
        _result(number, chains.get(normalized), holdings, own, context) if normalized in chains
        else SearchResult(query=number, status="unknown_part")
        for number, normalized in zip(numbers, asked)
    ]


@dataclass(frozen=True, slots=True)
class _Context:
    network: Directory
    searcher_id: int
    quantity: int
    sort: Sort
    radius_km: float | None
    favourites: frozenset[int]
    now: datetime


def _result(query: str, chain: list, holdings: dict[int, list], own: dict[int, int], context: _Context) -> SearchResult:
    asked = normalize_part_number(query)
    newest = chain[0]
    asked_row = next(row for row in chain if row["normalized"] == asked)
    by_id = {row["id"]: row for row in chain}
    result = SearchResult(
        query=query, status="found", part_number=newest["part_number"], description=newest["description"],
        replaces=[row["part_number"] for row in chain[1:]],
        replaced_by=by_id[asked_row["superseded_by"]]["part_number"] if asked_row["superseded_by"] in by_id else None,
        own_available=sum(own.get(row["id"], 0) for row in chain),
    )
    holders, central = _holders(chain, holdings, context)
    result.central = central
    result.holders_total = len(holders)
    result.total_available = sum(h.available for h in holders)
    result.holders = holders[:HOLDERS_SHOWN]
    result.split = _split(holders, context.quantity)
    if not holders and central is None:
        result.status = "not_found"
    return result


def _holders(chain: list, holdings: dict[int, list], context: _Context) -> tuple[list[Holder], Holder | None]:
    network, today = context.network, context.now.date()
    rows = [(row, holding) for row in chain for holding in holdings.get(row["id"], ())]
    dealers = []
    for row, holding in rows:
        dealer = network.by_id.get(holding["dealer"])
        if dealer is None or dealer.id == context.searcher_id or not dealer.active or network.is_stale(dealer, context.now):
            continue
        dealers.append((row, holding, dealer))
    distances = _distances(context, [dealer.id for _, _, dealer in dealers])
    holders: list[Holder] = []
    central: Holder | None = None
    for (row, holding, dealer), distance in zip(dealers, distances):
        if context.radius_km is not None and (distance is None or distance > context.radius_km):
            continue
        moved: date | None = holding["last_movement_date"]
        age = (today - moved).days if moved else None
        feed_age = network.feed_age_hours(dealer, context.now)
        holder = Holder(
            dealer_code=dealer.code, dealer_name=dealer.name, city=dealer.city,
            distance_km=None if distance is None else round(distance, 1), available=holding["available"],
            transfer_price=holding["transfer_price"], feed_age_hours=None if feed_age is None else round(feed_age, 1),
            part_number=row["part_number"], stock_age_days=age if age is not None and age >= AGED_DAYS else None,
            generation=row["generation"], favourite=dealer.id in context.favourites,
        )
        if dealer.is_central_warehouse:
            if central is None or (holder.generation, -holder.available) < (central.generation, -central.available):
                central = holder
        else:
            holders.append(holder)
    holders.sort(key=_ranking(context.sort))
    return holders, central


def _distances(context: _Context, dealer_ids: list[int]) -> list[float | None]:
    network = context.network
    origin = context.searcher_id
    if not dealer_ids or origin >= len(network.lat) or np.isnan(network.lat[origin]):
        return [None] * len(dealer_ids)
    ids = np.asarray(dealer_ids)
    km = geodesic_km_many(network.lat[origin], network.lon[origin], network.lat[ids], network.lon[ids])
    return [None if np.isnan(value) else float(value) for value in km]


_FAR = float("inf")


def _ranking(sort: Sort):
    if sort == Sort.price:
        return lambda h: (h.transfer_price, _far(h), h.generation)
    if sort == Sort.aged_first:
        return lambda h: (h.stock_age_days is None, -(h.stock_age_days or 0), _far(h), h.generation)
    return lambda h: (_far(h), h.generation, h.transfer_price)


def _far(holder: Holder) -> float:
    return _FAR if holder.distance_km is None else holder.distance_km


def _split(holders: list[Holder], quantity: int) -> list[SplitLine]:
    """When nobody has the whole quantity: the fewest holders that do together, the nearest such set.

    With fewer holders than that, everything there is (a partial proposal).
    """
    if not holders or any(h.available >= quantity for h in holders):
        return []
    largest_first = sorted(holders, key=lambda h: (-h.available, _far(h)))
    needed, covered = 0, 0
    for holder in largest_first:
        needed, covered = needed + 1, covered + holder.available
        if covered >= quantity:
            break
    chosen = largest_first[:needed]
    if covered >= quantity and needed <= 4:
        nearest = sorted(holders, key=_far)[:25]
        sets = (combo for combo in combinations(nearest, needed) if sum(h.available for h in combo) >= quantity)
        chosen = list(min(sets, key=lambda combo: sum(_far(h) for h in combo), default=chosen))
    lines, left = [], quantity
    for holder in sorted(chosen, key=_far):
        take = min(holder.available, left)
        if take:
            lines.append(SplitLine(holder.dealer_code, take))
            left -= take
    return lines
