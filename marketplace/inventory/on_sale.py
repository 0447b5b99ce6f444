"""On sale online: which catalog parts the shop sells, defined once.

A part is **on sale online** when its channel is ``online`` and no newer number replaces it (the
shop sells the newest number of a chain; an old number leads to it). The shop's search and pages,
the pickup quote and the order all ask here, so a number the shop refuses is refused by the API too.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from marketplace.errors import Invalid
from marketplace.inventory.chains import chains_of
from marketplace.inventory.tables import Channel, Part


def on_sale(alias: str = "") -> str:
    """The rule as SQL over ``part`` (``alias`` like ``"p."`` when the query names the table)."""
    return f"{alias}channel = 'online' AND {alias}superseded_by IS NULL"


#: The rule as a Piccolo condition.
ON_SALE = (Part.channel == Channel.online.value) & Part.superseded_by.is_null()


@dataclass(frozen=True, slots=True)
class PartOnSale:
    id: int
    part_number: str
    normalized: str
    list_price: Decimal
    map_price: Decimal | None


_PARTS = """
SELECT p.id, p.part_number, p.normalized, p.channel, p.list_price, p.map_price, p.superseded_by AS replaced_by
FROM part p WHERE p.normalized = ANY($1::text[])
"""


async def parts_on_sale(connection, numbers: list[str], field: str = "items") -> dict[str, PartOnSale]:
    """The part of each normalized number; Invalid naming ``field`` and the number when one is not
    in the catalog, is sold at the counter only, or has been replaced by a newer number."""
    rows = {r["normalized"]: r for r in await connection.fetch(_PARTS, list(numbers))}
    found = {}
    for number in numbers:
        row = rows.get(number)
        if row is None:
            raise Invalid(f"no part {number} in the catalog", field)
        if row["channel"] != Channel.online.value:
            raise Invalid(f"{row['part_number']} is sold at the counter only, not online", field)
        if row["replaced_by"] is not None:
            newest = (await chains_of(connection, [number]))[number][0].part_number
            raise Invalid(f"{row['part_number']} has been replaced by {newest}: order that number", field)
        found[number] = PartOnSale(row["id"], row["part_number"], row["normalized"], row["list_price"], row["map_price"])
    return found
