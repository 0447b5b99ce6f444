""""Forse cercavi": the catalog numbers nearest to one that is not in the catalog.

Nearness is the edit distance (Levenshtein) between normalized forms, so ``1K0615301A`` finds
``1K0615301AA`` and a swapped or mistyped character costs one. The catalog's normalized numbers
are kept in memory (one list per process, dropped when the catalog changes) and compared by
rapidfuzz in C: about 10 ms for 200,000 parts (benchmarks/counter.py measures it).
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from marketplace.caches import Snapshot
from marketplace.db import raw_connection
from marketplace.inventory.normalize import normalize_part_number

SUGGESTIONS = 5
REFRESH_SECONDS = 600.0


@dataclass(frozen=True, slots=True)
class NumberIndex:
    normalized: list[str]
    part_number: list[str]


async def _load() -> NumberIndex:
    async with raw_connection() as connection:
        rows = await connection.fetch("SELECT normalized, part_number FROM part ORDER BY normalized")
    return NumberIndex([r["normalized"] for r in rows], [r["part_number"] for r in rows])


_INDEX: Snapshot[NumberIndex] = Snapshot("part_numbers", _load, REFRESH_SECONDS)


def max_distance(normalized: str) -> int:
    """How far a suggestion may be: 1 edit for short numbers, up to 3 for long ones."""
    return max(1, min(3, len(normalized) // 4))


def nearest_in(index: NumberIndex, text: str, limit: int = SUGGESTIONS) -> list[str]:
    """The catalog numbers (as printed) nearest to ``text``, closest first, ties in catalog order."""
    normalized = normalize_part_number(text)
    if not normalized or not index.normalized:
        return []
    found = process.extract(normalized, index.normalized, scorer=Levenshtein.distance, limit=limit,
                            score_cutoff=max_distance(normalized))
    return [index.part_number[position] for _, _, position in sorted(found, key=lambda f: (f[1], f[2]))
            if index.normalized[position] != normalized]


async def nearest_numbers(text: str, limit: int = SUGGESTIONS) -> list[str]:
    """"Forse cercavi": up to ``limit`` catalog numbers within a few edits of ``text``."""
    return nearest_in(await _INDEX.get(), text, limit)


def forget() -> None:
    """Drop the kept numbers: the catalog changed."""
    _INDEX.forget()
