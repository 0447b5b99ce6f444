"""Dealers' territories: validation, the no-overlap rule for exclusive ones, saving, listing.

A territory is a set of postal codes (exact CAPs or prefixes like ``201*``) or a polygon
(GeoJSON, or the union of named provinces). Exclusive territories never overlap on any day:
every save compares the new ones with each exclusive territory valid on a common day, under a
transaction-wide advisory lock so two saves cannot both pass the check.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import shapely
from shapely.geometry.base import BaseGeometry

from marketplace.errors import Conflict, Invalid, NotFound
from marketplace.geo.tables import Territory, TerritoryKind
from marketplace.geo.territory_lookup import territories_changed, today
from marketplace.geo.territory_overlaps import Footprint, Overlap, OverlapIndex
from marketplace.geo.territory_shapes import (
    area_km2,
    expand_postal_codes,
    parse_geometry,
    parse_postal_codes,
    provinces_geometry,
)
from marketplace.network.tables import Dealer

_LOCK = 7302  # advisory lock class (feeds use 7301): one territory save at a time
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True, slots=True)
class TerritoryInput:
    """A territory as asked for: exactly one of ``postal_codes``, ``geometry`` or ``provinces``."""

    dealer_code: str
    name: str
    exclusive: bool = True
    postal_codes: Sequence[str] | None = None
    geometry: Mapping | None = None
    provinces: Sequence[str] | None = None
    valid_from: date | None = None
    valid_to: date | None = None


@dataclass(frozen=True, slots=True)
class CheckedTerritory:
    """A territory ready to store."""

    dealer_id: int
    dealer_code: str
    name: str
    exclusive: bool
    postal_codes: tuple[str, ...]
    shape: BaseGeometry | None
    valid_from: date
    valid_to: date | None

    def footprint(self) -> Footprint:
        return Footprint(
            None, self.name, self.dealer_code, self.valid_from, self.valid_to,
            caps=expand_postal_codes(self.postal_codes), shape=self.shape,
        )


def _checked(data: TerritoryInput, dealers: Mapping[str, Mapping]) -> CheckedTerritory:
    code = data.dealer_code.strip().upper()
    dealer = dealers.get(code)
    if dealer is None:
        raise Invalid(f"no dealer with code {code or '(empty)'}", "dealer_code")
    if not dealer["active"]:
        raise Invalid(f"dealer {code} is inactive", "dealer_code")
    name = data.name.strip()
    if not name or len(name) > 200:
        raise Invalid("a name of 1-200 characters is needed", "name")
    given = [f for f in ("postal_codes", "geometry", "provinces") if getattr(data, f) is not None]
    if len(given) != 1:
        raise Invalid("give exactly one of postal codes, a geometry or provinces", given[-1] if given else "postal_codes")
    valid_from = data.valid_from or today()
    if data.valid_to is not None and data.valid_to < valid_from:
        raise Invalid(f"the end ({data.valid_to.isoformat()}) is before the start ({valid_from.isoformat()})", "valid_to")
    codes: tuple[str, ...] = ()
    shape = None
    if data.postal_codes is not None:
        codes = parse_postal_codes(data.postal_codes)
    elif data.geometry is not None:
        shape = parse_geometry(data.geometry)
    else:
        shape = provinces_geometry(data.provinces or ())
    return CheckedTerritory(dealer["id"], code, name, data.exclusive, codes, shape, valid_from, data.valid_to)


async def _dealers(codes: set[str]) -> dict[str, dict]:
    rows = await Dealer.select(Dealer.id, Dealer.code, Dealer.active).where(Dealer.code.is_in(sorted(codes) or [""]))
    return {r["code"]: r for r in rows}


def conflict_error(overlap: Overlap) -> Conflict:
    new, other = overlap.territory, overlap.other
    return Conflict(
        f'"{new.name}" (dealer {new.dealer_code}) {overlap.describe()}',
        conflicting_territory={
            "id": other.territory_id, "name": other.name, "valid_from": other.valid_from.isoformat(),
            "valid_to": other.valid_to.isoformat() if other.valid_to else None,
        },
        dealer_code=other.dealer_code,
        overlap=overlap.as_dict(),
    )


async def create_territory(data: TerritoryInput) -> dict:
    """Save one territory (the row, geometry included); :class:`Conflict` naming the exclusive
    territory it would overlap."""
    [territory_id] = await create_territories([data])
    return await get_territory(territory_id, with_geometry=True)


async def create_territories(items: Sequence[TerritoryInput]) -> list[int]:
    """Save territories all together or none (a proposal); their ids, in order."""
    dealers = await _dealers({item.dealer_code.strip().upper() for item in items})
    checked = [_checked(item, dealers) for item in items]
    if not checked:
        return []
    async with Territory._meta.db.transaction():
        await Territory.raw("SELECT pg_advisory_xact_lock({}, 0)", _LOCK)
        exclusive = [c for c in checked if c.exclusive]
        if exclusive:
            new = [c.footprint() for c in exclusive]
            index = OverlapIndex(await _exclusive_footprints(new) + new)
            for footprint in new:
                if found := index.overlaps(footprint, first=True):
                    raise conflict_error(found[0])
        rows = await Territory.insert(*[
            Territory(
                dealer=c.dealer_id, name=c.name, exclusive=c.exclusive,
                kind=(TerritoryKind.polygon if c.shape is not None else TerritoryKind.postal_codes).value,
                postal_codes=list(c.postal_codes),
                geometry=shapely.to_geojson(c.shape) if c.shape is not None else None,
                valid_from=c.valid_from, valid_to=c.valid_to,
            )
            for c in checked
        ]).returning(Territory.id)
    territories_changed()
    return [r["id"] for r in rows]


async def _exclusive_footprints(near: Sequence[Footprint]) -> list[Footprint]:
    """The saved exclusive territories valid on some day any of ``near`` is."""
    start = min(f.valid_from for f in near)
    ends = [f.valid_to for f in near]
    query = Territory.select(
        Territory.id, Territory.name, Territory.dealer.code.as_alias("dealer_code"), Territory.postal_codes,
        Territory.geometry, Territory.valid_from, Territory.valid_to,
    ).where(Territory.exclusive.eq(True), Territory.valid_to.is_null() | (Territory.valid_to >= start))
    if None not in ends:
        query = query.where(Territory.valid_from <= max(ends))
    return footprints(await query)


def footprints(rows: Sequence[Mapping]) -> list[Footprint]:
    """Comparable footprints of territory rows (``geometry`` as GeoJSON text, as selected)."""
    texts = [r["geometry"] for r in rows if r["geometry"] is not None]
    shapes = iter(shapely.from_geojson(texts)) if texts else iter(())
    return [
        Footprint(
            r["id"], r["name"], r["dealer_code"], r["valid_from"], r["valid_to"],
            caps=expand_postal_codes(r["postal_codes"]) if r["geometry"] is None else frozenset(),
            shape=next(shapes) if r["geometry"] is not None else None,
        )
        for r in rows
    ]


async def delete_territory(territory_id: int) -> None:
    deleted = await Territory.delete().where(Territory.id == territory_id).returning(Territory.id)
    if not deleted:
        raise NotFound(f"no territory {territory_id}")
    territories_changed()


_COLUMNS = (
    Territory.id, Territory.dealer.code.as_alias("dealer_code"), Territory.dealer.name.as_alias("dealer_name"),
    Territory.name, Territory.exclusive, Territory.kind, Territory.postal_codes, Territory.valid_from,
    Territory.valid_to, Territory.created_at,
)


async def list_territories(*, dealer_code: str | None = None, with_geometry: bool = False) -> list[dict]:
    """Territories by dealer code, then start; ``geometry`` as GeoJSON text when asked."""
    columns = (*_COLUMNS, Territory.geometry) if with_geometry else _COLUMNS
    query = Territory.select(*columns).order_by(Territory.dealer.code).order_by(Territory.valid_from).order_by(
        Territory.id)
    if dealer_code:
        query = query.where(Territory.dealer.code == dealer_code.strip().upper())
    return await query


async def get_territory(territory_id: int, *, with_geometry: bool = False) -> dict:
    columns = (*_COLUMNS, Territory.geometry) if with_geometry else _COLUMNS
    row = await Territory.select(*columns).where(Territory.id == territory_id).first()
    if row is None:
        raise NotFound(f"no territory {territory_id}")
    return row


def area_of(row: Mapping) -> float | None:
    """A polygon territory's area in km² (``geometry`` as GeoJSON text), None for postal codes."""
    return area_km2(shapely.from_geojson(row["geometry"])) if row.get("geometry") else None
