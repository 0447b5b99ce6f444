"""Reading a stock feed (CSV as dealer systems export it, or JSON) into checked lines."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date

from marketplace.csvfiles import decode, read_rows
from marketplace.errors import Invalid
from marketplace.gc_paused import gc_paused
from marketplace.inventory import feed_columns, feed_values
from marketplace.inventory.feed_values import latest_movement_date
from marketplace.inventory.normalize import normalize_part_number

# Header names seen in Italian and English DMS exports, after lower-casing and folding accents.
ALIASES = {
    "part_number": ("part_number", "partnumber", "part_no", "part", "codice", "codice_articolo", "cod_articolo",
                    "articolo", "codice_ricambio", "code", "sku"),
    "quantity": ("quantity", "qty", "quantita", "qta", "giacenza", "disponibilita", "on_hand", "stock"),
    "transfer_price": ("transfer_price", "price", "prezzo", "prezzo_trasferimento", "prezzo_rete"),
    "unit_cost": ("unit_cost", "cost", "costo", "costo_unitario", "costo_medio"),
    "last_movement_date": ("last_movement_date", "last_movement", "ultimo_movimento", "data_ultimo_movimento",
                           "data_movimento"),
    "shared": ("shared", "condiviso", "condivisa", "in_rete"),
}
_FOLD = str.maketrans("àáèéìíòóùú", "aaeeiioouu")
_COLUMN_OF = {alias: column for column, aliases in ALIASES.items() for alias in aliases}


@dataclass(slots=True)
class FeedLine:
    """One checked line. Values are kept in PostgreSQL's text form (``"12.50"``, ``"2025-03-15"``):
    they go to the database by a text COPY, which is several times faster than typed records."""

    line: int
    part_number: str
    normalized: str
    quantity: int | None = None
    transfer_price: str | None = None
    unit_cost: str | None = None
    last_movement_date: str | None = None
    shared: bool | None = None
    error: str | None = None


def _column(name: str) -> str | None:
    key = re.sub(r"[\s.\-/]+", "_", name.strip().lower().translate(_FOLD)).strip("_")
    return _COLUMN_OF.get(key)


def _line(number: int, raw: str, quantity: object, price: object, cost: object, moved: object,
          shared: object, latest: date) -> FeedLine:
    line = FeedLine(line=number, part_number=raw, normalized=normalize_part_number(raw))
    try:
        if not line.normalized:
            raise ValueError("part number is missing")
        line.quantity = feed_values.quantity(quantity)
        line.transfer_price = feed_values.amount(price, "transfer_price")
        line.unit_cost = feed_values.amount(cost, "unit_cost")
        line.last_movement_date = feed_values.movement_date(moved, latest)
        line.shared = feed_values.flag(shared)
    except ValueError as error:
        line.error = str(error)
    return line


def _csv_lines(text: str) -> list[FeedLine]:
    header, rows = read_rows(text)
    columns = [_column(name) for name in header]
    if "part_number" not in columns or "quantity" not in columns:
        raise Invalid(
            "no recognizable header: the first line must name the part number and quantity columns"
            " (e.g. codice;quantita or part_number,quantity)", "file",
        )
    width = len(header)
    for _, row in rows:
        if len(row) < width:
            row.extend([""] * (width - len(row)))
    numbers = [number for number, _ in rows]
    by_column = dict(zip(columns, zip(*(row for _, row in rows)))) if rows else {c: () for c in columns}

    def cells(name: str) -> list[str] | None:
        return list(by_column[name]) if name in by_column else None

    printed, normalized = feed_columns.part_numbers(cells("part_number"))
    empty: feed_columns.Checked = ([None] * len(rows), {})
    checked = [
        feed_columns.quantities(cells("quantity")),
        feed_columns.amounts(c, "transfer_price") if (c := cells("transfer_price")) is not None else empty,
        feed_columns.amounts(c, "unit_cost") if (c := cells("unit_cost")) is not None else empty,
        feed_columns.movement_dates(c, latest_movement_date()) if (c := cells("last_movement_date")) is not None
        else empty,
        feed_columns.flags(c) if (c := cells("shared")) is not None else empty,
    ]
    reasons: dict[int, str] = {}
    for _, found in reversed(checked):  # a line's first failing column names its reason
        reasons.update(found)
    for index, number in enumerate(normalized):
        if not number:
            reasons[index] = "part number is missing"
    errors = [reasons.get(index) for index in range(len(rows))] if reasons else [None] * len(rows)
    return list(map(FeedLine, numbers, printed, normalized, *(values for values, _ in checked), errors))


def _json_lines(text: str) -> list[FeedLine]:
    try:
        document = json.loads(text)
    except ValueError as error:
        raise Invalid(f"unreadable JSON: {error}", "file")
    items = document.get("items") if isinstance(document, dict) else None
    if not isinstance(items, list):
        raise Invalid('JSON feeds look like {"items": [{"part_number": ..., "quantity": ...}]}', "items")
    return [
        _line(index, str(item.get("part_number") or "").strip(), item.get("quantity"), item.get("transfer_price"),
              item.get("unit_cost"), item.get("last_movement_date"), item.get("shared"), latest_movement_date())
        if isinstance(item, dict)
        else FeedLine(line=index, part_number="", normalized="", error="an item must be an object")
        for index, item in enumerate(items, start=1)
    ]


def read_feed(data: bytes, content_type: str = "text/csv") -> list[FeedLine]:
    """Every line of the feed, each checked on its own; unreadable files raise ``Invalid``."""
    if not data.strip():
        raise Invalid("the feed is empty", "file")
    text = decode(data)
    with gc_paused():
        if "json" in content_type or text.lstrip().startswith("{"):
            lines = _json_lines(text)
        else:
            lines = _csv_lines(text)
        _reject_duplicates(lines)
    return lines


def _reject_duplicates(lines: list[FeedLine]) -> None:
    """A part listed twice: both lines rejected, each naming the other (which one is right is the dealer's call)."""
    first: dict[str, FeedLine] = {}
    twins: dict[str, list[FeedLine]] = {}
    for line in lines:
        if not line.normalized:
            continue
        seen = first.setdefault(line.normalized, line)
        if seen is not line:
            twins.setdefault(line.normalized, [seen]).append(line)
    for group in twins.values():
        for line in group:
            others = ", ".join(str(t.line) for t in group if t is not line)
            line.error = f"part listed twice: also on line {others}"
