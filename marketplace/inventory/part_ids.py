"""Part number -> part id, remembered per process.

A part's id never changes once created (imports upsert by normalized number and parts are never
deleted), so a remembered id is never wrong; a number not yet remembered is looked up.
"""

from __future__ import annotations

from marketplace.inventory.tables import Part

_ids: dict[str, int] = {}
_loaded = False


async def part_ids(numbers: list[str], connection) -> dict[str, int]:
    """Ids of the known normalized numbers among ``numbers``; unknown ones are left out."""
    global _loaded
    if not _loaded:
        rows = await connection.fetch("SELECT normalized, id FROM part")
        _ids.update((row["normalized"], row["id"]) for row in rows)
        _loaded = True
    missing = [number for number in numbers if number not in _ids]
    if missing:
        rows = await connection.fetch("SELECT normalized, id FROM part WHERE normalized = ANY($1::text[])", missing)
        _ids.update((row["normalized"], row["id"]) for row in rows)
    return {number: _ids[number] for number in numbers if number in _ids}


def forget() -> None:
    """Drop what is remembered (tests truncate the catalog, which real use never does)."""
    global _loaded
    _ids.clear()
    _loaded = False


__all__ = ["part_ids", "forget", "Part"]
