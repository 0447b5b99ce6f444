""""Forse cercavi": the catalog numbers nearest to one that is not in the catalog.

Nearness is the edit distance (Levenshtein) between normalized forms, so ``1K0615301A`` finds
``1K0615301AA`` and a swapped or mistyped character costs one. The catalog's normalized numbers
are kept in memory (one index per process, dropped when the catalog changes).

Comparing with all 200,000 numbers takes rapidfuzz 6-10 ms on an idle core, ten times that on a
busy one; so an index of 3-character pieces narrows the field first. Cut the number typed into
``d + 1`` pieces, ``d`` the edits allowed: each edit spoils at most one piece, so a number within
``d`` edits holds at least one piece whole, hence that piece's rarest 3-gram. Only the numbers
holding one of those grams are compared (a few hundred); a number too short for such pieces is
compared with all. benchmarks/counter.py measures both ways.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from marketplace.caches import Snapshot
from marketplace.db import raw_connection
from marketplace.inventory.normalize import normalize_part_number

SUGGESTIONS = 5
REFRESH_SECONDS = 3600.0  # a safety net: an import anywhere drops it (cross-process notices)
GRAM = 3


def _gram_codes(chars: np.ndarray, at: int) -> np.ndarray:
    """The 3-gram starting at column ``at`` of each row of code points, as one integer."""
    return (chars[:, at] << 42) | (chars[:, at + 1] << 21) | chars[:, at + 2]


@dataclass(frozen=True, slots=True)
class NumberIndex:
    normalized: list[str]
    part_number: list[str]
    # The 3-grams of every number, sorted, with the position of the number each comes from: the
    # numbers holding a gram are one slice (built with numpy: 200,000 numbers in a fraction of a second).
    gram_codes: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    gram_starts: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    gram_positions: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int32))

    @classmethod
    def of(cls, normalized: list[str], part_number: list[str]) -> NumberIndex:
        if not normalized:
            return cls(normalized, part_number)
        width = max(len(n) for n in normalized)
        chars = np.asarray(normalized, dtype=f"<U{width}").view(np.int32).reshape(len(normalized), width).astype(np.int64)
        lengths = np.fromiter((len(n) for n in normalized), dtype=np.int64, count=len(normalized))
        codes, positions = [], []
        for at in range(width - GRAM + 1):
            whole = np.flatnonzero(lengths >= at + GRAM)
            codes.append(_gram_codes(chars[whole], at))
            positions.append(whole.astype(np.int32))
        codes, positions = np.concatenate(codes), np.concatenate(positions)
        order = np.argsort(codes, kind="stable")
        codes, positions = codes[order], positions[order]
        unique, starts = np.unique(codes, return_index=True)
        return cls(normalized, part_number, unique, np.append(starts, len(codes)), positions)

    def _holding(self, gram: str) -> np.ndarray | None:
        code = (ord(gram[0]) << 42) | (ord(gram[1]) << 21) | ord(gram[2])
        at = int(np.searchsorted(self.gram_codes, code))
        if at == len(self.gram_codes) or self.gram_codes[at] != code:
            return None
        return self.gram_positions[self.gram_starts[at]:self.gram_starts[at + 1]]

    def candidates(self, normalized: str, distance: int) -> np.ndarray | None:
        """Positions of the numbers that may lie within ``distance`` edits; None: all of them."""
        pieces = distance + 1
        if not len(self.gram_codes) or len(normalized) < GRAM * pieces:
            return None
        size, found = len(normalized) / pieces, []
        for piece in range(pieces):
            text = normalized[round(piece * size):round((piece + 1) * size)]
            holding = [self._holding(text[i:i + GRAM]) for i in range(len(text) - GRAM + 1)]
            if any(h is None for h in holding):
                continue  # a gram no number has: no number holds this piece whole
            found.append(min(holding, key=len))
        return np.unique(np.concatenate(found)) if found else np.empty(0, dtype=np.int32)


class _Numbers:
    """The catalog's numbers as loaded, and their gram index once a worker thread has built it
    (about a second for 200,000 numbers, several on a busy machine: no request waits for it)."""

    def __init__(self, plain: NumberIndex) -> None:
        self.plain = plain
        self.indexed: NumberIndex | None = None
        self.building: asyncio.Task | None = None

    def best(self) -> NumberIndex:
        if self.indexed is None and self.building is None:
            self.building = asyncio.get_running_loop().create_task(self._build())
        return self.indexed or self.plain

    async def _build(self) -> None:
        self.indexed = await asyncio.to_thread(NumberIndex.of, self.plain.normalized, self.plain.part_number)


async def _load() -> _Numbers:
    async with raw_connection() as connection:
        rows = await connection.fetch("SELECT normalized, part_number FROM part ORDER BY normalized")
    return _Numbers(NumberIndex([r["normalized"] for r in rows], [r["part_number"] for r in rows]))


_INDEX: Snapshot[_Numbers] = Snapshot("part_numbers", _load, REFRESH_SECONDS)


def max_distance(normalized: str) -> int:
    """How far a suggestion may be: 1 edit for short numbers, up to 3 for long ones."""
    return max(1, min(3, len(normalized) // 4))


def nearest_in(index: NumberIndex, text: str, limit: int = SUGGESTIONS) -> list[str]:
    """The catalog numbers (as printed) nearest to ``text``, closest first, ties in catalog order."""
    normalized = normalize_part_number(text)
    if not normalized or not index.normalized:
        return []
    distance = max_distance(normalized)
    candidates = index.candidates(normalized, distance)
    if candidates is None:
        positions, choices = None, index.normalized
    else:
        positions = candidates.tolist()
        choices = [index.normalized[i] for i in positions]
    found = process.extract(normalized, choices, scorer=Levenshtein.distance, limit=limit + 1, score_cutoff=distance)
    nearest = sorted((score, at if positions is None else positions[at]) for _, score, at in found)
    return [index.part_number[at] for _, at in nearest if index.normalized[at] != normalized][:limit]


async def nearest_numbers(text: str, limit: int = SUGGESTIONS) -> list[str]:
    """"Forse cercavi": up to ``limit`` catalog numbers within a few edits of ``text`` (every number
    compared until the gram index is built, the same answer either way)."""
    return nearest_in((await _INDEX.get()).best(), text, limit)


def forget() -> None:
    """Drop the kept numbers: the catalog changed."""
    _INDEX.forget()
