"""What a search box means: a part number typed any way, or words of the description."""

from __future__ import annotations

import re
import unicodedata

from piccolo.columns import Column
from piccolo.columns.combination import Combinable, WhereRaw

from marketplace.inventory.normalize import normalize_part_number
from marketplace.inventory.tables import Part


def like_escape(text: str) -> str:
    """``text`` matched literally inside a LIKE pattern."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def number_or_words(q: str, normalized: Column, description: Column) -> Combinable:
    """Rows whose normalized number starts with ``q`` (typed any way), or whose description holds
    every word of ``q``. ``q`` must not be blank."""
    condition = normalized.like(f"{like_escape(normalize_part_number(q))}%")
    words = [description.ilike(f"%{like_escape(word)}%") for word in q.split()]
    if words:
        by_words = words[0]
        for word in words[1:]:
            by_words &= word
        condition |= by_words
    return condition


_WORD = re.compile(r"\w+")


MAX_QUERY = 200
MAX_WORDS = 10


def clean_query(q: str) -> str:
    """What a search box sends, made safe to search: no NUL (PostgreSQL refuses it in text), one
    normalization of accents, and no longer than anyone types."""
    return unicodedata.normalize("NFC", q.replace("\x00", "")).strip()[:MAX_QUERY]


_PUNCTUATED = re.compile(r"[^\w\s]")


def as_typed(q: str) -> str | None:
    """``q`` for ``plainto_tsquery`` when it holds punctuation inside words ("5W-30", "1.6"), which
    the parser keeps whole and the word split does not; None otherwise (one index scan less)."""
    return q if _PUNCTUATED.search(q) else None


def words_query(q: str) -> str | None:
    """The first words of ``q``, each as a prefix, for ``to_tsquery``; None when it has no word."""
    words = _WORD.findall(q.lower())[:MAX_WORDS]
    return " & ".join(f"{word}:*" for word in words) or None


def part_number_or_words(q: str) -> Combinable:
    """Catalog parts whose normalized number starts with ``q`` (typed any way), or whose
    description holds every word of ``q`` as Italian words or their beginnings ("freni" finds
    "freno", "filt" finds "filtro"): the part_normalized_prefix and part_description_words indexes,
    not a scan of the catalog."""
    q = clean_query(q)
    number, words = normalize_part_number(q), words_query(q)
    by_number = Part.normalized.like(f"{like_escape(number)}%") if number else None
    # As typed too ("5W-30", "1.6 TDI"): the parser keeps such tokens whole, the word split does not.
    by_words = None
    if words:
        by_words = WhereRaw("part.description_words @@ to_tsquery('italian', {})", words)
        if typed := as_typed(q):
            by_words = WhereRaw("(part.description_words @@ to_tsquery('italian', {})"
                                " OR part.description_words @@ plainto_tsquery('italian', {}))", words, typed)
    if by_number is not None and by_words is not None:
        return by_number | by_words
    return by_number or by_words or WhereRaw("false")


_LETTERS_ONLY = re.compile(r"[^\W\d_]{3,}")
WORD_CANDIDATES = 30

_BY_WORDS = """
SELECT normalized FROM part
WHERE description_words @@ to_tsquery('italian', $1)
ORDER BY ts_rank(description_words, to_tsquery('italian', $1)) DESC, superseded_by IS NOT NULL, normalized
LIMIT $2
"""


def has_words(line: str) -> bool:
    """Whether a search line holds a word (three letters or more, no digit), not only a number."""
    return bool(_LETTERS_ONLY.search(line))


async def parts_by_words(connection, line: str, limit: int = WORD_CANDIDATES) -> list[str]:
    """Normalized numbers of the parts whose description holds every word of ``line`` (Italian
    stems, each word also as a beginning: "pastiglie freno golf", "filt olio"), best match first:
    the part_description_words index, not a scan of the catalog."""
    words = words_query(clean_query(line))
    if not words:
        return []
    return [row["normalized"] for row in await connection.fetch(_BY_WORDS, words, limit)]
