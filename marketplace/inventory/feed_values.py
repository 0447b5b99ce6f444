"""Checking one value of a feed line; each raises ValueError with the reason the report shows.

Values come back in PostgreSQL's text form (``"12.50"``, ``"2025-03-15"``): they reach the
database by a text COPY, several times faster than typed records.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from marketplace.decimal_input import parse_decimal
from marketplace.money import MAX_AMOUNT

_WHOLE = re.compile(r"^\+?\d{1,9}$")
_PLAIN_AMOUNT = re.compile(r"^(\d{1,10})(?:[.,](\d{1,2}))?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DMY_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
TRUE = frozenset({"1", "true", "yes", "y", "si", "sì", "s", "x"})
FALSE = frozenset({"0", "false", "no", "n"})


MAX_QUANTITY = 999_999_999


def quantity(value: object) -> int:
    if isinstance(value, str):
        text = value.strip()
        if _WHOLE.match(text):
            return int(text)
        if re.match(r"^-\d+$", text):
            raise ValueError("quantity is negative")
        raise ValueError(f"quantity must be a whole number, not {text[:20]!r}" if text else "quantity is missing")
    if value is None:
        raise ValueError("quantity is missing")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"quantity must be a whole number, not {str(value)[:20]!r}")
    if value < 0:
        raise ValueError("quantity is negative")
    if value > MAX_QUANTITY:  # as the CSV's nine digits: a stock row's quantity is int4
        raise ValueError(f"quantity is more than {MAX_QUANTITY}")
    return value


def amount(value: object, field: str) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    plain = _PLAIN_AMOUNT.match(text)
    if plain:  # the common case, without building a Decimal
        return f"{plain[1]}.{plain[2] or '0'}"
    try:
        return str(parse_decimal(text, field, high=MAX_AMOUNT, grouping=True, currency=True))
    except ValueError as error:
        raise ValueError(f"{field}: {error}")


def latest_movement_date() -> date:
    """The latest movement date accepted (a day of slack for clocks and time zones)."""
    return date.today() + timedelta(days=1)


def movement_date(value: object, latest: date) -> str | None:
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()[:10]
    try:
        if _ISO_DATE.match(text):
            parsed = date.fromisoformat(text)
        elif match := _DMY_DATE.match(text):
            parsed = date(int(match[3]), int(match[2]), int(match[1]))
        else:
            raise ValueError
    except ValueError:
        raise ValueError(f"last_movement_date {text!r} is not a date (use YYYY-MM-DD or DD/MM/YYYY)")
    if parsed > latest:
        raise ValueError("last_movement_date is in the future")
    return parsed.isoformat()


def flag(value: object) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if not text:
        return None
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise ValueError(f"shared must be yes or no, not {text[:20]!r}")
