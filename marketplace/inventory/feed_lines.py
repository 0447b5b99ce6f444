"""Reading a stock feed (CSV as dealer systems export it, or JSON) into checked lines."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from marketplace.csvfiles import decode, read_rows
from marketplace.errors import Invalid
from marketplace.inventory.normalize import normalize_part_number
from marketplace.money import parse_amount

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
_WHOLE = re.compile(r"^\+?\d{1,9}$")
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%Y%m%d")
_TRUE = {"1", "true", "yes", "y", "si", "sì", "s", "x"}
_FALSE = {"0", "false", "no", "n", ""}


@dataclass(slots=True)
class FeedLine:
    line: int
    part_number: str
    normalized: str
    quantity: int | None = None
    transfer_price: Decimal | None = None
    unit_cost: Decimal | None = None
    last_movement_date: date | None = None
    shared: bool | None = None
    error: str | None = None


def _column(name: str) -> str | None:
    key = re.sub(r"[\s.\-/]+", "_", name.strip().lower().translate(_FOLD)).strip("_")
    return _COLUMN_OF.get(key)


def _quantity(value: object) -> int:
    if isinstance(value, bool):
        raise ValueError("quantity must be a whole number")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and _WHOLE.match(value.strip()):
        number = int(value.strip())
    elif isinstance(value, str) and re.match(r"^\s*-\d+\s*$", value):
        raise ValueError("quantity is negative")
    else:
        raise ValueError(f"quantity must be a whole number, not {str(value)[:20]!r}" if value not in (None, "")
                         else "quantity is missing")
    if number < 0:
        raise ValueError("quantity is negative")
    return number


def _amount(value: object, field: str) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return parse_amount(str(value))
    except ValueError as error:
        raise ValueError(f"{field}: {error}")


def _date(value: object) -> date | None:
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()[:10]
    for pattern in _DATE_FORMATS:
        try:
            parsed = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if parsed > date.today() + timedelta(days=1):
            raise ValueError("last_movement_date is in the future")
        return parsed
    raise ValueError(f"last_movement_date {text!r} is not a date (use YYYY-MM-DD or DD/MM/YYYY)")


def _flag(value: object) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return None if text == "" else False
    raise ValueError(f"shared must be yes or no, not {text[:20]!r}")


def _line(number: int, cells: dict[str, object]) -> FeedLine:
    raw = str(cells.get("part_number") or "").strip()
    line = FeedLine(line=number, part_number=raw, normalized=normalize_part_number(raw))
    try:
        if not line.normalized:
            raise ValueError("part number is missing")
        line.quantity = _quantity(cells.get("quantity"))
        line.transfer_price = _amount(cells.get("transfer_price"), "transfer_price")
        line.unit_cost = _amount(cells.get("unit_cost"), "unit_cost")
        line.last_movement_date = _date(cells.get("last_movement_date"))
        line.shared = _flag(cells.get("shared"))
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
    lines = []
    for number, row in rows:
        cells = {column: cell for column, cell in zip(columns, row) if column}
        lines.append(_line(number, cells))
    return lines


def _json_lines(text: str) -> list[FeedLine]:
    try:
        document = json.loads(text)
    except ValueError as error:
        raise Invalid(f"unreadable JSON: {error}", "file")
    items = document.get("items") if isinstance(document, dict) else None
    if not isinstance(items, list):
        raise Invalid('JSON feeds look like {"items": [{"part_number": ..., "quantity": ...}]}', "items")
    return [
        _line(index, item) if isinstance(item, dict)
        else FeedLine(line=index, part_number="", normalized="", error="an item must be an object")
        for index, item in enumerate(items, start=1)
    ]


def read_feed(data: bytes, content_type: str = "text/csv") -> list[FeedLine]:
    """Every line of the feed, each checked on its own; unreadable files raise ``Invalid``."""
    if not data.strip():
        raise Invalid("the feed is empty", "file")
    text = decode(data)
    if "json" in content_type or text.lstrip().startswith("{"):
        lines = _json_lines(text)
    else:
        lines = _csv_lines(text)
    _reject_duplicates(lines)
    return lines


def _reject_duplicates(lines: list[FeedLine]) -> None:
    """A part listed twice: both lines rejected, each naming the other (which one is right is the dealer's call)."""
    by_part: dict[str, list[FeedLine]] = {}
    for line in lines:
        if line.normalized:
            by_part.setdefault(line.normalized, []).append(line)
    for twins in by_part.values():
        if len(twins) > 1:
            for line in twins:
                others = ", ".join(str(t.line) for t in twins if t is not line)
                line.error = f"part listed twice: also on line {others}"
