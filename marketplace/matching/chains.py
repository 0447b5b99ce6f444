"""Supersession chains, remembered per process for a minute.

The catalog changes a few times a day and a search resolves a chain for every number asked, so
the chains are kept in memory; a supersession added elsewhere is seen within ``TTL_SECONDS``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

TTL_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class ChainLink:
    id: int
    part_number: str
    normalized: str
    description: str
    superseded_by: int | None
    generation: int  # 0: the newest number of the chain


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

_chains: dict[str, tuple[float, tuple[ChainLink, ...]]] = {}


async def chains_of(connection, numbers: list[str]) -> dict[str, tuple[ChainLink, ...]]:
    """The chain of each normalized number found in the catalog (newest first); unknown ones are left out."""
    now = time.monotonic()
    found = {n: entry[1] for n in numbers if (entry := _chains.get(n)) and now - entry[0] < TTL_SECONDS}
    missing = [n for n in set(numbers) if n not in found]
    if missing:
        fetched: dict[str, list[ChainLink]] = {}
        for row in await connection.fetch(_CHAINS, missing):
            fetched.setdefault(row["asked"], []).append(ChainLink(
                row["id"], row["part_number"], row["normalized"], row["description"], row["superseded_by"],
                row["generation"]))
        for number, chain in fetched.items():
            _chains[number] = (now, tuple(chain))
            found[number] = tuple(chain)
    return found


def forget() -> None:
    _chains.clear()
