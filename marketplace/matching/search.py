"""Network search: who has these parts, nearest first, with the supersession chain resolved.

A line of the search is a part number typed any way, or words of the description ("filtro olio",
"pastiglie freno golf"): a line that is no catalog number and holds a word gives the parts whose
description matches, those held in the network first. A number not in the catalog gets the
nearest catalog numbers ("forse cercavi").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from enum import Enum
from itertools import combinations

import numpy as np

from marketplace.db import raw_connection, read_connection
from marketplace.errors import Invalid
from marketplace.geo.distance import geodesic_km_many, haversine_km_many
from marketplace.inventory.availability import stock_for_search
from marketplace.inventory.chains import ChainLink, chains_of
from marketplace.inventory.normalize import normalize_part_number
from marketplace.inventory.search_terms import has_words, parts_by_words
from marketplace.inventory.suggestions import nearest_numbers
from marketplace.matching import search_lines
from marketplace.network.directory import Directory, directory

MAX_NUMBERS = 50
MAX_QUANTITY = 100_000
HOLDERS_SHOWN = 50
WORD_RESULTS = 10  # parts shown for a line of words
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
    # found | not_found (in the catalog, but nobody has it) | unknown_part (a number not in the
    # catalog: see suggestions) | no_match (words no description holds)
    status: str
    part_number: str | None = None  # the newest number of the chain: the one to ask for
    description: str = ""
    replaces: list[str] = field(default_factory=list)  # the chain's older numbers, besides the one asked
    replaced_by: str | None = None  # the newest number, when the one asked is superseded
    own_available: int = 0
    holders: list[Holder] = field(default_factory=list)
    holders_total: int = 0
    total_available: int = 0
    split: list[SplitLine] = field(default_factory=list)
    central: Holder | None = None
    match: str = "number"  # number: the line is this part's number; words: its description matched the line
    suggestions: list[str] = field(default_factory=list)  # "forse cercavi": catalog numbers near the one asked


def split_query(text: str) -> list[str]:
    """Numbers pasted as a list: commas, semicolons, tabs or new lines separate them; spaces,
    dashes, dots and slashes inside a number are ignored."""
    numbers = [part.strip() for part in _SEPARATORS.split(text) if normalize_part_number(part)]
    if not numbers:
        raise Invalid("type or paste at least one part number", "q")
    if len(numbers) > MAX_NUMBERS:
        raise Invalid(f"at most {MAX_NUMBERS} part numbers at a time", "q")
    return numbers


async def search(searcher_id: int, text: str, quantity: int = 1, sort: Sort = Sort.distance,
                 radius_km: float | None = None, favourites: frozenset[int] = frozenset(),
                 user_id: int | None = None) -> list[SearchResult]:
    """One result per number asked, in the order asked; every line is recorded (search_lines.py)."""
    if not 1 <= quantity <= MAX_QUANTITY:
        raise Invalid(f"the quantity must be between 1 and {MAX_QUANTITY}", "qty")
    if radius_km is not None and not 0 < radius_km <= 2000:
        raise Invalid("the radius must be between 0 and 2000 km", "radius_km")
    numbers = split_query(text)
    asked = [normalize_part_number(number) for number in numbers]
    network = await directory()
    async with read_connection() as connection:
        chains = await chains_of(connection, asked)
        by_words = {}
        for number, normalized in zip(numbers, asked):
            if normalized not in chains and has_words(number) and number not in by_words:
                by_words[number] = await parts_by_words(connection, number)
        if wanted := [n for found in by_words.values() for n in found if n not in chains]:
            chains.update(await chains_of(connection, wanted))
        part_ids = list({link.id for chain in chains.values() for link in chain})
        stock: dict[int, list] = {}
        for row in await stock_for_search(connection, part_ids, searcher_id):
            stock.setdefault(row["part"], []).append(row)
    context = _Context(network, searcher_id, quantity, sort, radius_km, favourites, datetime.now(timezone.utc))
    results, lines = [], []
    heads = {chain[0].normalized: chain for chain in chains.values()}
    for number, normalized in zip(numbers, asked):
        if normalized in chains:
            found = [_result(number, normalized, chains[normalized], stock, context)]
        elif matches := _by_words(number, by_words.get(number, ()), chains, stock, context):
            found = matches
        else:
            # One token ("NOPE", "frizione") may be either: answered as a number, with its neighbours.
            words = number in by_words and len(number.split()) > 1
            found = [SearchResult(query=number, status="no_match" if words else "unknown_part",
                                  match="words" if words else "number", suggestions=await nearest_numbers(number))]
        results.extend(found)
        # One recorded line per line asked: a line of words as the part it matched best.
        first = found[0]
        chain = chains.get(normalized) or (heads.get(normalize_part_number(first.part_number)) if first.part_number else None)
        lines.append((chain[0].normalized if chain else normalized, chain[0].id if chain else None,
                      tuple(link.id for link in chain or ()), first.own_available, first.status == "found"))
    async with raw_connection() as connection:
        await search_lines.record(connection, searcher_id, user_id, quantity, context.now, lines)
    return results


def _by_words(line: str, found: list[str] | tuple, chains: dict, stock: dict[int, list],
              context: _Context) -> list[SearchResult]:
    """The parts whose description matches ``line``: one result per chain, held ones first."""
    results, seen = [], set()
    for normalized in found:
        chain = chains.get(normalized)
        if chain is None or chain[0].id in seen:
            continue
        seen.add(chain[0].id)
        result = _result(line, chain[0].normalized, chain, stock, context)
        result.match = "words"
        results.append(result)
    results.sort(key=lambda r: r.status != "found")  # stable: the best description match first among equals
    return results[:WORD_RESULTS]


@dataclass(frozen=True, slots=True)
class _Context:
    network: Directory
    searcher_id: int
    quantity: int
    sort: Sort
    radius_km: float | None
    favourites: frozenset[int]
    now: datetime


@dataclass(slots=True)
class _Rows:
    """The stock rows of one chain as arrays: filtering and ranking 500 holders stays in numpy."""

    rows: list
    generation: np.ndarray
    dealer: np.ndarray
    available: np.ndarray

    @classmethod
    def of(cls, chain: tuple[ChainLink, ...], stock: dict[int, list]) -> _Rows:
        rows, generations = [], []
        for link in chain:
            found = stock.get(link.id, ())
            rows.extend(found)
            generations.extend([link.generation] * len(found))
        count = len(rows)
        return cls(
            rows=rows, generation=np.asarray(generations, dtype=np.int64),
            dealer=np.fromiter((row[1] for row in rows), dtype=np.int64, count=count),
            available=np.fromiter((row[2] for row in rows), dtype=np.int64, count=count),
        )


def _result(query: str, normalized: str, chain: tuple[ChainLink, ...], stock: dict[int, list],
            context: _Context) -> SearchResult:
    asked = next(link for link in chain if link.normalized == normalized)
    by_id = {link.id: link for link in chain}
    rows = _Rows.of(chain, stock)
    network = context.network
    known = rows.dealer < len(network.fresh)
    own = rows.dealer == context.searcher_id
    usable = known & ~own
    usable[usable] &= network.fresh[rows.dealer[usable]]
    central = usable.copy()
    central[central] &= network.central[rows.dealer[central]]
    holders = usable & ~central
    # Few rows: exact distances at once, reused for display. Many: rank on the sphere first.
    exact = len(rows.rows) <= HOLDERS_SHOWN
    distance = _distances(context, rows.dealer, exact)
    if context.radius_km is not None:
        holders &= distance <= context.radius_km
    ranked = _rank(context.sort, np.flatnonzero(holders), rows, distance)
    shown = ranked[:HOLDERS_SHOWN]
    result = SearchResult(
        query=query, status="found", part_number=chain[0].part_number, description=chain[0].description,
        replaces=[link.part_number for link in chain[1:] if link is not asked],
        replaced_by=chain[0].part_number if asked is not chain[0] else None,
        own_available=int(rows.available[own].sum()),
        holders=_holders(shown, rows, by_id, context, distance if exact else None),
        holders_total=len(ranked), total_available=int(rows.available[ranked].sum()),
    )
    result.split = _split(ranked, rows, distance, network, context.quantity)
    if central.any():
        best = min(np.flatnonzero(central), key=lambda i: (rows.generation[i], -rows.available[i]))
        result.central = _holders(np.asarray([best]), rows, by_id, context, distance if exact else None)[0]
    if not result.holders and result.central is None:
        result.status = "not_found"
    return result


def _distances(context: _Context, dealers: np.ndarray, exact: bool) -> np.ndarray:
    """Km from the searcher to each dealer (NaN where unknown): geodesic when ``exact``, else
    great-circle, which is enough to rank and filter (what is shown is then made exact)."""
    network = context.network
    origin = context.searcher_id
    if origin >= len(network.lat) or np.isnan(network.lat[origin]) or not len(dealers):
        return np.full(len(dealers), np.nan)
    safe = np.minimum(dealers, len(network.lat) - 1)
    measure = geodesic_km_many if exact else haversine_km_many
    return measure(network.lat[origin], network.lon[origin], network.lat[safe], network.lon[safe])


def _rank(sort: Sort, index: np.ndarray, rows: _Rows, distance: np.ndarray) -> np.ndarray:
    """Row indexes in the order asked for; unknown distances last, newer numbers first on ties."""
    if not len(index):
        return index
    far = np.where(np.isnan(distance[index]), np.inf, distance[index])
    generation = rows.generation[index]
    if sort == Sort.price:
        price = np.fromiter((float(rows.rows[i][3]) for i in index), dtype=float, count=len(index))
        order = np.lexsort((generation, far, price))
    elif sort == Sort.aged_first:
        moved = np.fromiter((_ordinal(rows.rows[i][4]) for i in index), dtype=float, count=len(index))
        order = np.lexsort((generation, far, moved))
    else:
        order = np.lexsort((generation, far))
    return index[order]


def _ordinal(moved: date | None) -> float:
    return moved.toordinal() if moved else np.inf


def _holders(index: np.ndarray, rows: _Rows, by_id: dict, context: _Context,
             exact: np.ndarray | None) -> list[Holder]:
    network, today = context.network, context.now.date()
    dealers = rows.dealer[index]
    km = exact[index] if exact is not None else _distances(context, dealers, exact=True)
    distances = [None if np.isnan(value) else float(value) for value in km]
    holders = []
    for i, dealer_id, distance in zip(index, dealers, distances):
        row = rows.rows[i]
        dealer = network.by_id[int(dealer_id)]
        moved: date | None = row[4]
        age = (today - moved).days if moved else None
        feed_age = network.feed_age_hours(dealer, context.now)
        holders.append(Holder(
            dealer_code=dealer.code, dealer_name=dealer.name, city=dealer.city,
            distance_km=None if distance is None else round(distance, 1), available=int(row[2]),
            transfer_price=row[3], feed_age_hours=None if feed_age is None else round(feed_age, 1),
            part_number=by_id[row[0]].part_number, stock_age_days=age if age is not None and age >= AGED_DAYS else None,
            generation=int(rows.generation[i]), favourite=dealer.id in context.favourites,
        ))
    return holders


def _split(ranked: np.ndarray, rows: _Rows, distance: np.ndarray, network: Directory, quantity: int) -> list[SplitLine]:
    """When nobody has the whole quantity: the fewest holders that do together, the nearest such set.

    With too little in the whole network, everything there is (a partial proposal).
    """
    if not len(ranked) or rows.available[ranked].max() >= quantity:
        return []
    far = np.where(np.isnan(distance), np.inf, distance)
    largest_first = sorted(ranked, key=lambda i: (-rows.available[i], far[i]))
    needed, covered = 0, 0
    for i in largest_first:
        needed, covered = needed + 1, covered + rows.available[i]
        if covered >= quantity:
            break
    chosen = largest_first[:needed]
    if covered >= quantity and needed <= 4:
        nearest = sorted(ranked, key=lambda i: far[i])[:25]
        sets = (c for c in combinations(nearest, needed) if sum(rows.available[i] for i in c) >= quantity)
        chosen = list(min(sets, key=lambda c: sum(far[i] for i in c), default=chosen))
    lines, left = [], quantity
    for i in sorted(chosen, key=lambda i: far[i]):
        take = int(min(rows.available[i], left))
        if take:
            lines.append(SplitLine(network.by_id[int(rows.dealer[i])].code, take))
            left -= take
    return lines
