"""Which diagram shows a part: for the reorder history's thumbnails (and any page naming a part)."""

from __future__ import annotations

from marketplace.db import raw_connection
from marketplace.inventory.chains import chains_of


def svg_url(diagram_id: int) -> str:
    """Where a diagram's SVG is served (a thumbnail too: it scales)."""
    return f"/diagrams/{diagram_id}/svg"


async def diagrams_showing(part_ids: list[int]) -> dict[int, tuple[int, str, str]]:
    """For each part id, a diagram that shows it or another number of its supersession chain:
    ``{part_id: (diagram_id, name, thumbnail_url)}``; parts on no diagram are left out."""
    ids = sorted({int(i) for i in part_ids})
    if not ids:
        return {}
    async with raw_connection() as connection:
        numbers = {r["id"]: r["normalized"] for r in await connection.fetch(
            "SELECT id, normalized FROM part WHERE id = ANY($1::int[])", ids)}
        chains = await chains_of(connection, list(set(numbers.values())))
        related = {part_id: {link.id for link in chains.get(number, ())} | {part_id}
                   for part_id, number in numbers.items()}
        everyone = sorted({i for group in related.values() for i in group})
        shown = {}
        for row in await connection.fetch(
                "SELECT DISTINCT ON (c.part) c.part, d.id, d.name FROM vehicle_callout_part c"
                " JOIN vehicle_diagram d ON d.id = c.diagram WHERE c.part = ANY($1::int[]) ORDER BY c.part, d.id",
                everyone):
            shown[row["part"]] = (row["id"], row["name"])
    found = {}
    for part_id, group in related.items():
        hit = shown.get(part_id) or next((shown[i] for i in sorted(group) if i in shown), None)
        if hit:
            found[part_id] = (hit[0], hit[1], svg_url(hit[0]))
    return found
