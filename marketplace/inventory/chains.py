"""Supersession chains: the one resolver, remembered per process for a minute.

A part number may be replaced by a newer one (``part.superseded_by``), which may be replaced in
turn. The *chain* of a number is the newest part it leads to (generation 0) and every older number
replaced by it, directly or not (generations 1, 2...). Every reader of chains (the network search,
the shop, quotes and orders, the catalog's page) asks here.

The catalog changes a few times a day and a search resolves a chain for every number asked, so
the chains are kept in memory: an import in this process drops them, one made in another process
is seen within ``TTL_SECONDS``.
"""

from __future__ import annotations

from dataclasses import dataclass

from marketplace.caches import Keyed
from marketplace.db import raw_connection
from marketplace.errors import NotFound
from marketplace.inventory.normalize import normalize_part_number

TTL_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class ChainLink:
    id: int
    part_number: str
    normalized: str
    description: str
    superseded_by: int | None
    generation: int  # 0: the newest number of the chain


Chain = tuple[ChainLink, ...]  # newest first

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

_chains: Keyed[str, Chain] = Keyed("chains", TTL_SECONDS)


async def chains_of(connection, numbers: list[str]) -> dict[str, Chain]:
    """The chain of each normalized number found in the catalog (newest first); unknown ones are left out."""
    found = {n: chain for n in numbers if (chain := _chains.get(n)) is not None}
    missing = [n for n in set(numbers) if n not in found]
    if missing:
        generation = _chains.generation
        fetched: dict[str, list[ChainLink]] = {}
        for row in await connection.fetch(_CHAINS, missing):
            fetched.setdefault(row["asked"], []).append(ChainLink(
                row["id"], row["part_number"], row["normalized"], row["description"], row["superseded_by"],
                row["generation"]))
        for number, links in fetched.items():
            found[number] = chain = tuple(links)
            _chains.put(number, chain, generation)
    return found


async def newest_part(number: str) -> int | None:
    """The part id a typed number leads to: itself, or the newest number that replaces it."""
    normalized = normalize_part_number(number)
    async with raw_connection() as connection:
        chain = (await chains_of(connection, [normalized])).get(normalized)
    return chain[0].id if chain else None


def line_through(chain: Chain, normalized: str) -> list[ChainLink]:
    """The straight line through one number of its chain, oldest first, newest last: every number
    it replaces (branches too: two old numbers replaced by one are both listed), then itself, then
    the numbers that replaced it up to the newest."""
    by_id = {link.id: link for link in chain}
    asked = next(link for link in chain if link.normalized == normalized)
    forward = [asked]
    while forward[-1].superseded_by in by_id and len(forward) <= len(chain):
        forward.append(by_id[forward[-1].superseded_by])
    replaced: list[tuple[int, int, ChainLink]] = []
    wave, depth = [asked.id], 0
    while wave and depth < len(chain):
        depth += 1
        wave = [link.id for link in chain if link.superseded_by in wave]
        replaced.extend((-depth, i, by_id[i]) for i in wave)
    return [link for *_, link in sorted(replaced, key=lambda r: (r[0], r[1]))] + forward


async def supersession_chain(part_number: str) -> list[ChainLink]:
    """The straight line through a part (see :func:`line_through`); NotFound for an unknown number."""
    normalized = normalize_part_number(part_number)
    async with raw_connection() as connection:
        chain = (await chains_of(connection, [normalized])).get(normalized)
    if not chain:
        raise NotFound(f"no part {part_number} in the catalog", "part_number")
    return line_through(chain, normalized)


def forget() -> None:
    """Drop the remembered chains: the catalog changed."""
    _chains.forget()
