"""Numbers people and exports type: one parser for amounts and percentages, decimal comma or point.

``12,50``, ``12.5``, ``€ 1.234,56`` (grouping, when asked for) or a number already decoded from
JSON. Refused, naming the field: exponent notation (``1e300`` would overflow a numeric column),
NaN and infinities, more decimals than the field keeps, and values out of the field's range.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from marketplace.errors import Invalid

_PLAIN = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?", re.ASCII)
_EXPONENT = re.compile(r"[+-]?[0-9.]+[eE][+-]?[0-9]+", re.ASCII)


class NotADecimal(Invalid, ValueError):
    """An ``Invalid`` (a 422 naming the field) that feed checks can catch as a ``ValueError``."""


def parse_decimal(value: object, field: str, *, high: Decimal | int, low: Decimal | int = 0, places: int = 2,
                  grouping: bool = False, currency: bool = False) -> Decimal:
    """The value as a ``Decimal`` quantized to ``places``; ``NotADecimal`` naming ``field`` otherwise."""
    if isinstance(value, bool) or value is None:
        raise NotADecimal("not a number", field)
    text = _text(value, grouping=grouping, currency=currency)
    if not text:
        raise NotADecimal("empty: a number is needed", field)
    if _EXPONENT.fullmatch(text):
        raise NotADecimal(f"{text[:20]!r}: write the number in full, without exponent notation", field)
    if not _PLAIN.fullmatch(text):
        raise NotADecimal(f"{text[:20]!r} is not a number", field)
    try:
        number = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only plain decimals
        raise NotADecimal(f"{text[:20]!r} is not a number", field) from None
    step = Decimal(1).scaleb(-places)
    if number != number.quantize(step):
        raise NotADecimal({0: "a whole number", 1: "at most one decimal", 2: "at most two decimals"}.get(
            places, f"at most {places} decimals"), field)
    if number < 0 <= low:
        raise NotADecimal("a negative amount", field)
    if not Decimal(low) <= number <= Decimal(high):
        raise NotADecimal(f"from {low} to {high}", field)
    return number.quantize(step)


def _text(value: object, *, grouping: bool, currency: bool) -> str:
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)  # exponent form for huge or tiny floats, refused below
    if isinstance(value, Decimal):
        return str(value)  # Decimal("1E+300") keeps its exponent
    text = str(value).strip()
    if currency:
        text = text.replace("€", "").replace("EUR", "")
    text = text.replace(" ", "") if grouping or currency else text
    if grouping and "," in text and "." in text:
        thousands = "." if text.rfind(",") > text.rfind(".") else ","
        text = text.replace(thousands, "")
    return text.replace(",", ".")
