"""Shapes of the territories' JSON API."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import msgspec


class TerritoryIn(msgspec.Struct):
    """Exactly one of ``postal_codes`` (CAPs or prefixes like ``"201*"``), ``geometry`` (a GeoJSON
    Polygon or MultiPolygon, WGS84 lon/lat) or ``provinces`` (codes like ``"MI"``)."""

    dealer_code: str
    name: str
    exclusive: bool = True
    postal_codes: list[str] | None = None
    geometry: dict[str, Any] | None = None
    provinces: list[str] | None = None
    valid_from: date | None = None  # default: today
    valid_to: date | None = None  # default: open-ended


class TerritoryOut(msgspec.Struct, omit_defaults=True):
    id: int
    dealer_code: str
    name: str
    exclusive: bool
    kind: str
    postal_codes: list[str]
    valid_from: date
    valid_to: date | None
    # Only when asked for (``?geometry=true``); null for postal-code territories.
    geometry: dict[str, Any] | None | msgspec.UnsetType = msgspec.UNSET

    @classmethod
    def of(cls, row: dict, *, with_geometry: bool = False) -> TerritoryOut:
        fields = {name: row[name] for name in cls.__struct_fields__ if name != "geometry"}
        if with_geometry:
            fields["geometry"] = json.loads(row["geometry"]) if row["geometry"] else None
        return cls(**fields)


class OwnerOut(msgspec.Struct):
    """Who owns a place on a day; all null and ``holding_queue`` true when nobody does."""

    dealer_code: str | None
    territory_id: int | None
    exclusive: bool | None
    holding_queue: bool
    on: date
