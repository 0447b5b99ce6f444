"""Submitted forms as plain dicts of strings."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from litestar import Request

from marketplace.decimal_input import parse_decimal
from marketplace.errors import DomainError, Invalid

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


# Control characters a form value may not hold (PostgreSQL text cannot hold NUL); tab and line
# breaks stay (pasted lists). Urlencoded bodies are cleaned by the input guard; multipart ones here.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


async def form_fields(request: Request) -> dict[str, str]:
    form = await request.form()
    return {key: _CONTROL.sub("", value) for key, value in form.items() if isinstance(value, str)}


def safe_next(target: str | None) -> str:
    """A local path to go to after sign-in; anything else (another site) means home."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def form_errors(error: DomainError | None, default_field: str = "form") -> dict[str, str]:
    """The field a domain error names (or the form as a whole), with its message."""
    return {error.field or default_field: error.message} if error else {}


# Typed values out of a submitted form: page handlers read forms with these and pass the domain
# typed values; each names its field when the text does not parse.

def checkbox(form: Mapping[str, str], field: str) -> bool:
    return form.get(field) in ("on", "true", "1")


def whole_number(form: Mapping[str, str], field: str, low: int, high: int) -> int:
    try:
        number = int((form.get(field) or "").strip())
    except ValueError:
        raise Invalid("a whole number", field) from None
    if not low <= number <= high:
        raise Invalid(f"from {low} to {high}", field)
    return number


def optional_decimal(form: Mapping[str, str], field: str, high: Decimal) -> Decimal | None:
    value = form.get(field)
    if value is None or not value.strip():
        return None
    return parse_decimal(value, field, high=high)


def optional_float(form: Mapping[str, str], field: str) -> float | None:
    value = (form.get(field) or "").strip().replace(",", ".")
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise Invalid("not a number", field) from None
    if not math.isfinite(number):
        raise Invalid("not a number", field)
    return number


def form_date(value: str | None, field: str) -> date | None:
    """A date typed in a form (YYYY-MM-DD), None when empty."""
    if not value or not value.strip():
        return None
    try:
        if not _DATE.fullmatch(value.strip()):
            raise ValueError
        return date.fromisoformat(value.strip())
    except ValueError:
        raise Invalid("a date as YYYY-MM-DD", field) from None
