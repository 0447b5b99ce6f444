"""What a search box means: a part number typed any way, or words of the description."""

from __future__ import annotations

from piccolo.columns import Column
from piccolo.columns.combination import Combinable

from marketplace.inventory.normalize import normalize_part_number


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
