"""The VIN typed at the counter: normalized, validated, and what its first characters tell.

A VIN has 17 characters, letters and digits without I, O and Q (read as 1 and 0). The first three
(the WMI) name the manufacturer; the tenth hints at the model year (it repeats every 30 years, so it
is a hint). The ninth is a check digit that European manufacturers need not compute: a wrong one is
reported, never refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from vininfo import Vin

from marketplace.errors import Invalid

VIN_LENGTH = 17
_ALLOWED = re.compile(r"^[A-HJ-NPR-Z0-9]+$")
_SPACING = re.compile(r"[\s\-.]+")


@dataclass(frozen=True, slots=True)
class VinFacts:
    vin: str
    manufacturer: str  # "" when the WMI is not a known one
    model_year_hint: int | None
    check_digit_ok: bool


def normalize_vin(text: str) -> str:
    """Upper case, without the spaces, dashes and dots a clerk types or copies."""
    return _SPACING.sub("", text or "").upper()


def vin_problem(text: str) -> str | None:
    """Why ``text`` is not a VIN (a sentence), or None when it is one."""
    vin = normalize_vin(text)
    if not vin:
        return "type the 17 characters of the VIN"
    if len(vin) != VIN_LENGTH:
        return "a VIN has exactly 17 characters"
    if set(vin) & set("IOQ"):
        return "a VIN never contains the letters I, O or Q (they are the digits 1 and 0)"
    if not _ALLOWED.match(vin):
        return "a VIN has only letters and digits"
    return None


def looks_like_vin(text: str) -> bool:
    """What the counter's search box treats as a VIN: one valid VIN with letters and digits in it
    (a part number is shorter, or all digits)."""
    vin = normalize_vin(text)
    return (vin_problem(vin) is None and any(c.isalpha() for c in vin) and any(c.isdigit() for c in vin)
            and not re.search(r"[,;\n\t]", text or ""))


def check_vin(text: str) -> VinFacts:
    """The VIN's facts; Invalid (field ``vin``) with the reason when it is not a VIN."""
    problem = vin_problem(text)
    if problem:
        raise Invalid(problem, "vin")
    vin = normalize_vin(text)
    info = Vin(vin)
    try:
        manufacturer = info.manufacturer or ""
    except Exception:  # an unknown WMI
        manufacturer = ""
    if manufacturer in ("", "UnsupportedBrand"):
        manufacturer = ""
    try:
        check_ok = bool(info.verify_checksum())
    except Exception:
        check_ok = False
    return VinFacts(vin, manufacturer, _year_hint(info), check_ok)


def _year_hint(info: Vin) -> int | None:
    """The latest of the model years the tenth character may mean that is not in the future."""
    try:
        years = info.years or []
    except Exception:
        return None
    limit = date.today().year + 1
    candidates = [year for year in years if year <= limit]
    return max(candidates) if candidates else None
