"""Shapes of the dealer directory's JSON API."""

from __future__ import annotations

import msgspec


class DealerOut(msgspec.Struct):
    code: str
    name: str
    city: str
    postal_code: str
    lat: float | None
    lon: float | None
