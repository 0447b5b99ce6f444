"""A first split of Italy among the active dealers, by nearest dealer, for a manager to review.

Two ways: Voronoi cells around the dealers clipped to Italy's outline (one MultiPolygon each), or
each CAP's point given to its nearest dealer (postal-code territories). Distances are taken on a
plane where a degree of longitude is shortened by cos(42°), as it is in mid-Italy, so "nearest"
means nearest on the ground. Nothing is saved here.
"""

from __future__ import annotations

import asyncio
import math
from collections import defaultdict
from dataclasses import dataclass
from enum import Enum

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from marketplace.geo.gazetteer import get_gazetteer
from marketplace.geo.territory_shapes import CENTRE_LAT, area_km2, as_multipolygon, postal_code_index

_COS_CENTRE = math.cos(math.radians(CENTRE_LAT))
# Dealers at one point (geocoded to the same city centre) are set on a circle this wide around
# it, in degrees (~100 m), so their cells split the area around it in sectors instead of one
# dealer taking it all.
_SPREAD_DEG = 0.001


class Method(str, Enum):
    voronoi = "voronoi"
    postal_codes = "postal_codes"


@dataclass(frozen=True, slots=True)
class Site:
    """A dealer to split the country among."""

    dealer_id: int
    dealer_code: str
    name: str
    city: str
    postal_code: str
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Proposal:
    site: Site
    geometry: BaseGeometry | None  # voronoi: the dealer's cell
    postal_codes: tuple[str, ...]  # postal_codes: the CAPs nearest to the dealer
    area_km2: float | None


def spread_coincident(lats: np.ndarray, lons: np.ndarray, radius: float = _SPREAD_DEG) -> tuple[np.ndarray, np.ndarray]:
    """The points, with each group sharing a position moved onto a small circle around it."""
    lats, lons = np.array(lats, dtype=float), np.array(lons, dtype=float)
    groups: dict[tuple[float, float], list[int]] = defaultdict(list)
    for i, key in enumerate(zip(np.round(lats, 6).tolist(), np.round(lons, 6).tolist())):
        groups[key].append(i)
    for members in groups.values():
        if len(members) > 1:
            angles = 2 * math.pi * np.arange(len(members)) / len(members)
            lats[members] += radius * np.sin(angles)
            lons[members] += radius * np.cos(angles) / _COS_CENTRE
    return lats, lons


def voronoi_cells(lats: np.ndarray, lons: np.ndarray, outline: BaseGeometry) -> list[BaseGeometry]:
    """Each point's nearest-point cell within ``outline``, as a MultiPolygon (empty when the
    cell misses it, e.g. a point at sea far from any coast), in the points' order."""
    lats, lons = spread_coincident(lats, lons)
    if len(lats) == 1:
        return [as_multipolygon(outline)]
    plane = shapely.multipoints(np.column_stack((lons * _COS_CENTRE, lats)))
    minx, miny, maxx, maxy = outline.bounds
    frame = shapely.box(minx * _COS_CENTRE - 1, miny - 1, maxx * _COS_CENTRE + 1, maxy + 1)
    cells = shapely.get_parts(shapely.voronoi_polygons(plane, extend_to=frame, ordered=True))
    cells = shapely.transform(cells, lambda xy: xy / np.array([_COS_CENTRE, 1.0]))
    shapely.prepare(outline)
    return [as_multipolygon(cell) for cell in shapely.intersection(cells, outline)]


def nearest_sites(lats: np.ndarray, lons: np.ndarray, site_lats: np.ndarray, site_lons: np.ndarray) -> np.ndarray:
    """For each point, the index of its nearest site (on the ground, near enough)."""
    sites = shapely.points(np.asarray(site_lons) * _COS_CENTRE, site_lats)
    points = shapely.points(np.asarray(lons) * _COS_CENTRE, lats)
    point_index, site_index = shapely.STRtree(sites).query_nearest(points, all_matches=False)
    nearest = np.empty(len(points), dtype=np.int64)
    nearest[point_index] = site_index
    return nearest


def propose(sites: list[Site], method: Method | str = Method.voronoi) -> list[Proposal]:
    """One proposal per site, in the sites' order (some may come out empty: see the page)."""
    method = Method(method)
    if not sites:
        return []
    lats = np.array([s.lat for s in sites])
    lons = np.array([s.lon for s in sites])
    if method is Method.voronoi:
        cells = voronoi_cells(lats, lons, get_gazetteer().outline)
        areas = area_km2(np.array(cells, dtype=object))
        return [Proposal(site, cell, (), float(area)) for site, cell, area in zip(sites, cells, areas)]
    caps = postal_code_index()
    owner = nearest_sites(caps.lats, caps.lons, *spread_coincident(lats, lons))
    # A dealer's own CAP is its own even when another dealer's point happens to be nearer its
    # centroid (big cities put all their CAPs on one central point).
    first_at: dict[str, int] = {}
    for i, site in enumerate(sites):
        first_at.setdefault(site.postal_code, i)
    codes: dict[int, list[str]] = defaultdict(list)
    for code, nearest in zip(caps.codes, owner.tolist()):
        codes[first_at.get(code, nearest)].append(code)
    return [Proposal(site, None, tuple(codes.get(i, ())), None) for i, site in enumerate(sites)]


async def active_sites() -> list[Site]:
    """Active dealers with a place on the map, the importer's central warehouse left out."""
    from marketplace.network.tables import Dealer

    rows = await Dealer.select(
        Dealer.id, Dealer.code, Dealer.name, Dealer.city, Dealer.postal_code, Dealer.lat, Dealer.lon,
    ).where(
        Dealer.active.eq(True), Dealer.is_central_warehouse.eq(False), Dealer.lat.is_not_null(),
    ).order_by(Dealer.code)
    return [
        Site(r["id"], r["code"], r["name"], r["city"], r["postal_code"], r["lat"], r["lon"]) for r in rows
    ]


async def propose_by_nearest_dealer(method: Method | str = Method.voronoi) -> list[Proposal]:
    """Italy split among the active dealers by nearest dealer; nothing is saved."""
    sites = await active_sites()
    # Seconds of geometry for a large network: off the event loop.
    return await asyncio.to_thread(propose, sites, method)
