"""Reading a stock feed (CSV as dealer systems export it, or JSON) into checked rows."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

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
VALUE_COLUMNS = ("quantity", "transfer_price", "unit_cost", "last_movement_date", "shared")
_FOLD = str.maketrans("àáèéìíòóùú", "aaeeiioouu")
_COLUMN_OF = {alias: column for column, aliases in ALIASES.items() for alias in aliases}


@dataclass(slots=True)
class FeedRows:
    """A feed as columns, one entry per data line.

    Columns rather than one object per line: a nightly export has 100,000 lines, and checking and
    copying whole columns is several times faster. Values are in PostgreSQL's text form
    (``"12.50"``, ``"2025-03-15"``), ready for a text COPY. ``error`` is the line's reject reason.
    """

    line: list[int] = field(default_factory=list)
    part_number: list[str] = field(default_factory=list)
    normalized: list[str] = field(default_factory=list)
    quantity: list[int | None] = field(default_factory=list)
    transfer_price: list[str | None] = field(default_factory=list)
    unit_cost: list[str | None] = field(default_factory=list)
    last_movement_date: list[str | None] = field(default_factory=list)
    shared: list[bool | None] = field(default_factory=list)
    error: list[str | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.line)

    def reject(self, index: int, reason: str) -> None:
        if self.error[index] is None:
            self.error[index] = reason

    def rejects(self) -> list[dict]:
        return [
            {"line": line, "part_number": number, "reason": reason}
            for line, number, reason in zip(self.line, self.part_number, self.error) if reason is not None
        ]


def _column(name: str) -> str | None:
    key = re.sub(r"[\s.\-/]+", "_", name.strip().lower().translate(_FOLD)).strip("_")
    return _COLUMN_OF.get(key)


def _csv_rows(text: str) -> FeedRows:
    header, numbers, rows = read_rows(text)
    columns = [_column(name) for name in header]
    if "part_number" not in columns or "quantity" not in columns:
        raise Invalid(
            "no recognizable header: the first line must name the part number and quantity columns"
            " (e.g. codice;quantita or part_number,quantity)", "file",
        )
    width = len(header)
    for row in rows:
        if len(row) < width:
            row.extend([""] * (width - len(row)))
    transposed = list(zip(*rows)) if rows else [()] * width
    cells = {name: list(transposed[columns.index(name)]) for name in ALIASES if name in columns}
    count = len(rows)
    nothing: feed_columns.Checked = ([None] * count, {})
    latest = latest_movement_date()
    checks = {
        "quantity": lambda c: feed_columns.quantities(c),
        "transfer_price": lambda c: feed_columns.amounts(c, "transfer_price"),
        "unit_cost": lambda c: feed_columns.amounts(c, "unit_cost"),
        "last_movement_date": lambda c: feed_columns.movement_dates(c, latest),
        "shared": lambda c: feed_columns.flags(c),
    }
    checked = {name: checks[name](cells[name]) if name in cells else nothing for name in VALUE_COLUMNS}
    printed, normalized = feed_columns.part_numbers(cells["part_number"])
    reasons: dict[int, str] = {}
    for name in reversed(VALUE_COLUMNS):  # a line's first failing column names its reason
        reasons.update(checked[name][1])
    reasons.update((index, "part number is missing") for index, number in enumerate(normalized) if not number)
    return FeedRows(
        numbers, printed, normalized, *(checked[name][0] for name in VALUE_COLUMNS),
        [reasons.get(index) for index in range(count)] if reasons else [None] * count,
    )


def _json_rows(text: str) -> FeedRows:
    try:
        document = json.loads(text)
    except ValueError as error:
        raise Invalid(f"unreadable JSON: {error}", "file")
    except RecursionError:
        raise Invalid("unreadable JSON: nested too deep", "file")
    items = document.get("items") if isinstance(document, dict) else None
    if not isinstance(items, list):
        raise Invalid('JSON feeds look like {"items": [{"part_number": ..., "quantity": ...}]}', "items")
    rows = FeedRows()
    latest = latest_movement_date()
    for index, item in enumerate(items, start=1):
        item = item if isinstance(item, dict) else {}
        number = str(item.get("part_number") or "").strip()
        values: list = [None] * len(VALUE_COLUMNS)
        error = None if item else "an item must be an object"
        try:
            if error is None and not normalize_part_number(number):
                raise ValueError("part number is missing")
            if error is None:
                values = [
                    feed_values.quantity(item.get("quantity")),
                    feed_values.amount(item.get("transfer_price"), "transfer_price"),
                    feed_values.amount(item.get("unit_cost"), "unit_cost"),
                    feed_values.movement_date(item.get("last_movement_date"), latest),
                    feed_values.flag(item.get("shared")),
                ]
        except ValueError as reason:
            error = str(reason)
        for column, value in zip((rows.line, rows.part_number, rows.normalized, *(
                getattr(rows, name) for name in VALUE_COLUMNS), rows.error),
                (index, number, normalize_part_number(number), *values, error)):
            column.append(value)
    return rows


def read_feed(data: bytes, content_type: str = "text/csv") -> FeedRows:
    """Every line of the feed, each checked on its own; unreadable files raise ``Invalid``."""
    if not data.strip():
        raise Invalid("the feed is empty", "file")
    text = decode(data)
    with gc_paused():
        rows = _json_rows(text) if "json" in content_type or text.lstrip().startswith("{") else _csv_rows(text)
        _reject_duplicates(rows)
    return rows


def _reject_duplicates(rows: FeedRows) -> None:
    """A part listed twice: both lines rejected, each naming the other (which one is right is the dealer's call)."""
    if len(set(rows.normalized)) == len(rows):
        return
    first: dict[str, int] = {}
    twins: dict[str, list[int]] = {}
    for index, number in enumerate(rows.normalized):
        if number:
            seen = first.setdefault(number, index)
            if seen != index:
                twins.setdefault(number, [seen]).append(index)
    for group in twins.values():
        for index in group:
            others = ", ".join(str(rows.line[other]) for other in group if other != index)
            rows.error[index] = f"part listed twice: also on line {others}"
