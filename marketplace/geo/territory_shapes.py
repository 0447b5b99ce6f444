"""What a territory covers: postal codes and prefixes, GeoJSON polygons, provinces, areas.

Pure functions over the gazetteer, no database; they raise :class:`Invalid` naming the input
at fault, for the form field or the API answer.
"""

from __future__ import annotations

import bisect
import csv
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import numpy as np
import shapely
from shapely.errors import GEOSException
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from marketplace.errors import Invalid
from marketplace.geo.distance import EARTH_RADIUS_KM
from marketplace.geo.gazetteer import DATA_DIR, get_gazetteer

_EXACT = re.compile(r"\d{5}")
_PREFIX = re.compile(r"\d{1,4}\*")
_SEPARATORS = re.compile(r"[\s,;]+")

#: Standard parallel of the equal-area projection, and of the maps' aspect ratio: mid-Italy.
CENTRE_LAT = 42.0
_COS_CENTRE = math.cos(math.radians(CENTRE_LAT))

# A polygon this large would be a mistake (a whole country traced at metre resolution) and would
# slow every save and lookup rebuild; Italy's own outline has ~6,500 points.
MAX_POINTS = 100_000

POLYGON_TYPES = ("Polygon", "MultiPolygon")


@dataclass(frozen=True)
class PostalCodeIndex:
    """Every CAP the gazetteer knows, sorted, with its point (lon, lat)."""

    codes: tuple[str, ...]
    lons: np.ndarray
    lats: np.ndarray
    points: np.ndarray
    tree: shapely.STRtree

    def with_prefix(self, prefix: str) -> tuple[str, ...]:
        """The CAPs starting with ``prefix`` (digits only)."""
        start = bisect.bisect_left(self.codes, prefix)
        end = bisect.bisect_left(self.codes, prefix + "\x7f")
        return self.codes[start:end]

    def position(self, code: str) -> int:
        """The index of a known CAP in :attr:`codes`."""
        return bisect.bisect_left(self.codes, code)

    def within(self, geometry: BaseGeometry) -> list[str]:
        """The CAPs whose point lies in (or on the edge of) ``geometry``."""
        found = self.tree.query(geometry, predicate="intersects")
        return [self.codes[i] for i in sorted(found.tolist())]


@cache
def postal_code_index() -> PostalCodeIndex:
    """The CAP list (the gazetteer offers lookups by code, not the list itself, so it is read
    from the same file; the points are the gazetteer's, corrected ones included)."""
    gazetteer = get_gazetteer()
    with (DATA_DIR / "it_postal_code_centroids.csv").open(encoding="utf-8", newline="") as f:
        codes = sorted({row["postal_code"] for row in csv.DictReader(f) if gazetteer.is_postal_code(row["postal_code"])})
    places = [gazetteer.postal_code(code) for code in codes]
    lons = np.array([p.lon for p in places])
    lats = np.array([p.lat for p in places])
    points = shapely.points(lons, lats)
    return PostalCodeIndex(tuple(codes), lons, lats, points, shapely.STRtree(points))


def split_postal_codes(text: str) -> list[str]:
    """Codes typed in a box: separated by commas, semicolons, spaces or new lines."""
    return [part for part in _SEPARATORS.split(text) if part]


def parse_postal_codes(values: Iterable[str]) -> tuple[str, ...]:
    """Exact CAPs and prefixes (``"201*"``), checked against the gazetteer, deduplicated, sorted."""
    index = postal_code_index()
    gazetteer = get_gazetteer()
    codes, unknown = set(), []
    for value in values:
        code = value.strip()
        if not code:
            continue
        if _EXACT.fullmatch(code):
            known = gazetteer.is_postal_code(code)
        elif _PREFIX.fullmatch(code):
            known = bool(index.with_prefix(code[:-1]))
        else:
            known = False
        if known:
            codes.add(code)
        elif code not in unknown:
            unknown.append(code)
    if unknown:
        listed = ", ".join(unknown[:10]) + (f" and {len(unknown) - 10} more" if len(unknown) > 10 else "")
        raise Invalid(
            f"unknown postal code{'s' if len(unknown) > 1 else ''}: {listed} "
            "(give Italian CAPs like 20121 or prefixes like 201*)",
            "postal_codes", unknown_postal_codes=unknown,
        )
    if not codes:
        raise Invalid("give at least one postal code or prefix", "postal_codes")
    return tuple(sorted(codes))


def expand_postal_codes(codes: Iterable[str]) -> frozenset[str]:
    """The CAPs exact codes and prefixes stand for."""
    index = postal_code_index()
    expanded: set[str] = set()
    for code in codes:
        if code.endswith("*"):
            expanded.update(index.with_prefix(code[:-1]))
        else:
            expanded.add(code)
    return frozenset(expanded)


def parse_geometry(geojson: object) -> BaseGeometry:
    """A GeoJSON Polygon or MultiPolygon (or a Feature of one) in WGS84 lon/lat, valid and
    reaching Italy. An invalid shape is refused with GEOS's reason, never silently repaired:
    a repair could hand a dealer more or less than was drawn."""
    if isinstance(geojson, dict) and geojson.get("type") == "Feature":
        geojson = geojson.get("geometry")
    if not isinstance(geojson, dict) or geojson.get("type") not in POLYGON_TYPES:
        raise Invalid("the geometry must be a GeoJSON Polygon or MultiPolygon", "geometry")
    try:
        geometry = shape(geojson)
    except (GEOSException, ValueError, TypeError, KeyError, IndexError, AttributeError) as error:
        raise Invalid(f"not a readable GeoJSON {geojson['type']}: {error}", "geometry") from None
    if geometry.is_empty:
        raise Invalid("the geometry is empty", "geometry")
    if shapely.get_num_coordinates(geometry) > MAX_POINTS:
        raise Invalid(f"the geometry has more than {MAX_POINTS:,} points: simplify it", "geometry")
    if shapely.has_z(geometry):
        geometry = shapely.force_2d(geometry)
    coordinates = shapely.get_coordinates(geometry)
    if not np.isfinite(coordinates).all() or (np.abs(coordinates[:, 0]) > 180).any() or (
            np.abs(coordinates[:, 1]) > 90).any():
        raise Invalid("coordinates must be WGS84 [longitude, latitude] pairs", "geometry")
    if not geometry.is_valid:
        raise Invalid(f"the geometry is not valid: {shapely.is_valid_reason(geometry)}", "geometry")
    if not geometry.intersects(get_gazetteer().outline):
        raise Invalid("the geometry does not reach Italy (coordinates are [longitude, latitude])", "geometry")
    return geometry


def provinces_geometry(codes: Iterable[str]) -> BaseGeometry:
    """The union of the named provinces (``["MI", "MB"]``)."""
    wanted = {code.strip().upper() for code in codes if code.strip()}
    if not wanted:
        raise Invalid("give at least one province code, e.g. MI", "provinces")
    found = {area.province_code: geometry for area, geometry in get_gazetteer().provinces}
    unknown = sorted(wanted - found.keys())
    if unknown:
        raise Invalid(f"unknown province code{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}", "provinces")
    union = shapely.union_all([found[code] for code in sorted(wanted)])
    # The boundaries are the gazetteer's own, so a defect here is ours to fix, not the caller's.
    return union if union.is_valid else shapely.make_valid(union)


def as_multipolygon(geometry: BaseGeometry) -> BaseGeometry:
    """The polygons of ``geometry`` as one MultiPolygon (a clip can also leave lines and points)."""
    polygons = [
        part for part in shapely.get_parts(geometry)
        if part.geom_type in POLYGON_TYPES and not part.is_empty
    ]
    flat = [p for part in polygons for p in shapely.get_parts(part)]
    return shapely.multipolygons(flat) if flat else shapely.MultiPolygon()


def to_geojson(geometry: BaseGeometry) -> dict:
    return json.loads(shapely.to_geojson(geometry))


def _equal_area(coordinates: np.ndarray) -> np.ndarray:
    # Lambert's cylindrical equal-area projection (sphere), standard parallel mid-Italy: exact
    # areas, no pyproj round trip.
    lon = np.radians(coordinates[:, 0])
    lat = np.radians(coordinates[:, 1])
    return np.column_stack((EARTH_RADIUS_KM * _COS_CENTRE * lon, EARTH_RADIUS_KM * np.sin(lat) / _COS_CENTRE))


def area_km2(geometry: BaseGeometry | np.ndarray) -> float | np.ndarray:
    """The area in km² of a lon/lat geometry (or of each one in an array)."""
    areas = shapely.area(shapely.transform(geometry, _equal_area))
    return float(areas) if np.ndim(areas) == 0 else areas
