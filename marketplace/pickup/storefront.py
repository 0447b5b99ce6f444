"""The public shop: online parts at the network's price, and the cart a customer carries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from marketplace.db import read_connection
from marketplace.errors import NotFound
from marketplace.inventory import availability
from marketplace.inventory.chains import newest_part
from marketplace.inventory.normalize import normalize_part_number
from marketplace.inventory.on_sale import ON_SALE, on_sale
from marketplace.inventory.search_terms import as_typed, clean_query, like_escape, words_query
from marketplace.inventory.tables import Part
from marketplace.network.directory import directory
from marketplace.pagination import Page

PER_PAGE = 20
MAX_CART_LINES = 20
MAX_QUANTITY = 99
CENT = Decimal("0.01")


def online_price(list_price: Decimal, map_price: Decimal | None, discount_pct: Decimal = Decimal("0")) -> Decimal:
    """The network's online price: the list price less the network's online discount, never below
    the part's minimum advertised price (MAP)."""
    price = (list_price * (100 - discount_pct) / 100).quantize(CENT, ROUND_HALF_UP)
    return max(price, map_price) if map_price is not None else price


async def online_discount() -> Decimal:
    """The network's online discount, as the dealer directory's snapshot holds the rules."""
    return (await directory()).rules.online_discount_pct


_COLUMNS = (Part.id, Part.part_number, Part.normalized, Part.description, Part.brand, Part.category,
            Part.list_price, Part.map_price)


# Numbers by prefix (the part_normalized_prefix index), words by the Italian text search over the
# stored description_words column (a migration adds it: "freni" finds "freno", "filt" finds
# "filtro"; and as typed, for "5W-30" or "1.6"), and the part an old number leads to; the one
# asked for by number first. A hot public path: one raw statement.
_SEARCH = f"""
SELECT id, part_number, normalized, description, brand, category, list_price, map_price,
       count(*) OVER () AS total
FROM part
WHERE {on_sale()}
  AND (normalized LIKE $1 OR description_words @@ to_tsquery('italian', $2)
       OR description_words @@ plainto_tsquery('italian', $6) OR id = $3)
ORDER BY id IS DISTINCT FROM $3, normalized
LIMIT $4 OFFSET $5
"""


async def search_shop(q: str, page: int = 1) -> tuple[Page[dict], str | None]:
    """Online parts by number (typed any way, an old number leads to the one replacing it) or by
    words of the description; and the old number typed, when it was replaced."""
    q = clean_query(q)
    if not q:
        return Page(items=[], total=0, page=page, per_page=PER_PAGE), None
    typed = normalize_part_number(q)
    newest = await newest_part(typed) if typed else None
    arguments = (f"{like_escape(typed)}%" if typed else None, words_query(q), newest, PER_PAGE)
    async with read_connection() as connection:
        rows = [dict(row) for row in await connection.fetch(_SEARCH, *arguments, (page - 1) * PER_PAGE, as_typed(q))]
        if not rows and page > 1:  # past the last page: the first one still knows how many there are
            first = await connection.fetchrow(_SEARCH, *arguments, 0, as_typed(q))
            return Page(items=[], total=first["total"] if first else 0, page=page, per_page=PER_PAGE), None
    total = rows[0].pop("total") if rows else 0
    for row in rows[1:]:
        row.pop("total")
    available = await network_available([row["id"] for row in rows])
    discount = await online_discount()
    items = [_on_sale(row, available, discount) for row in rows]
    replaced = q if newest is not None and not any(item["normalized"] == typed for item in items) else None
    return Page(items=items, total=total, page=page, per_page=PER_PAGE), replaced


def _on_sale(row: dict, available: dict[int, int], discount: Decimal) -> dict:
    price = online_price(row["list_price"], row["map_price"], discount)
    return {**row, "price": price, "available": available.get(row["id"], 0)}


async def network_available(part_ids: list[int]) -> dict[int, int]:
    """Units the network can sell of each part (see inventory.availability)."""
    async with read_connection() as connection:
        return await availability.network_available(connection, part_ids)


async def shop_part(number: str) -> dict:
    """One part on sale, found by any number of its chain (the newest one is what is sold)."""
    newest = await newest_part(number)
    row = None
    if newest is not None:
        row = await Part.select(*_COLUMNS).where((Part.id == newest) & ON_SALE).first()
    if row is None:
        raise NotFound(f"{number} is not sold online", "part_number")
    return _on_sale(row, await network_available([row["id"]]), await online_discount())


# The cart lives in a cookie as NUMBER-QTY.NUMBER-QTY: normalized numbers hold neither "-" nor ".".
_CART_ITEM = re.compile(r"^([A-Z0-9]{1,64})-(\d{1,3})$")


@dataclass(frozen=True, slots=True)
class Cart:
    items: dict[str, int]  # normalized part number -> quantity

    @classmethod
    def from_cookie(cls, value: str | None) -> Cart:
        items: dict[str, int] = {}
        for chunk in (value or "").split(".")[:MAX_CART_LINES]:
            if (match := _CART_ITEM.match(chunk)) and 1 <= int(match[2]) <= MAX_QUANTITY:
                items[match[1]] = int(match[2])
        return cls(items)

    def cookie(self) -> str:
        return ".".join(f"{number}-{quantity}" for number, quantity in self.items.items())

    def with_quantity(self, number: str, quantity: int) -> Cart:
        """``quantity`` of the part (0 removes it); the newest line last."""
        items = {n: q for n, q in self.items.items() if n != number}
        if quantity > 0:
            items[number] = min(quantity, MAX_QUANTITY)
        return Cart(dict(list(items.items())[-MAX_CART_LINES:]))

    def __bool__(self) -> bool:
        return bool(self.items)


async def cart_view(cart: Cart) -> tuple[list[dict], Decimal, list[str]]:
    """The cart's lines as the shop shows them, their total, and numbers no longer on sale."""
    if not cart:
        return [], Decimal("0.00"), []
    rows = {row["normalized"]: row for row in await Part.select(*_COLUMNS).where(
        Part.normalized.is_in(list(cart.items)) & ON_SALE)}
    lines, gone = [], []
    discount = await online_discount()
    for number, quantity in cart.items.items():
        row = rows.get(number)
        if row is None:
            gone.append(number)
            continue
        price = online_price(row["list_price"], row["map_price"], discount)
        lines.append({**row, "quantity": quantity, "price": price, "subtotal": price * quantity})
    return lines, sum((line["subtotal"] for line in lines), Decimal("0.00")), gone
