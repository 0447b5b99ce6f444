"""Part number -> part id, remembered per process.

A part's id never changes once created (imports upsert by normalized number and parts are never
deleted), so a remembered id is never wrong; a number not yet remembered is looked up.
"""

from __future__ import annotations

_ids: dict[str, int] = {}
_loaded = False


async def part_ids(numbers: list[str], connection) -> list[int | None]:
    """The id of each normalized number, None where the catalog has no such part."""
    global _loaded
    if not _loaded:
        rows = await connection.fetch("SELECT normalized, id FROM part")
        _ids.update((row["normalized"], row["id"]) for row in rows)
        _loaded = True
    ids = list(map(_ids.get, numbers))
    if None in ids:
        missing = list({number for number, found in zip(numbers, ids) if found is None and number})
        rows = await connection.fetch("SELECT normalized, id FROM part WHERE normalized = ANY($1::text[])", missing)
        if rows:
            _ids.update((row["normalized"], row["id"]) for row in rows)
            ids = list(map(_ids.get, numbers))
    return ids


def forget() -> None:
    """Drop what is remembered (tests truncate the catalog, which real use never does)."""
    global _loaded
    _ids.clear()
    _loaded = False

