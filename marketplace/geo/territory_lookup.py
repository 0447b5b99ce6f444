"""Who owns a place: the territory lookup, in memory.

A snapshot of every territory is rebuilt after a save or delete in this process
(:func:`territories_changed`) and at least every :data:`REFRESH_SECONDS`, so changes made by
other processes are seen within that time. Lookups then cost no database round trip.

Precedence: exclusive territories first, then shared ones; within each, an exact CAP before a
longer prefix before a shorter one before a polygon, and smaller polygons before larger ones.
Territories of inactive dealers are left out: their areas go to the network's holding queue.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

import numpy as np
import shapely
from shapely import intersects_xy
from shapely.geometry.base import BaseGeometry

from marketplace import calendar
from marketplace.caches import Snapshot
from marketplace.geo.territory_shapes import area_km2, postal_code_index

REFRESH_SECONDS = 30.0
_FOREVER = date.max.toordinal()
# The point grid's cells: about a quarter of a typical polygon's extent, within these bounds
# (degrees), and no more than this many cells.
_CELL_MIN, _CELL_MAX, _MAX_CELLS = 0.01, 1.0, 400_000


def today() -> date:
    """Today in Italy: validity dates are Italian calendar days."""
    return calendar.today()


class Owner(NamedTuple):
    dealer_id: int
    dealer_code: str
    territory_id: int
    exclusive: bool


@dataclass(frozen=True, slots=True)
class TerritoryRow:
    """A territory as the lookup needs it."""

    id: int
    dealer_id: int
    dealer_code: str
    exclusive: bool
    postal_codes: tuple[str, ...]
    geometry: str | None  # GeoJSON text
    valid_from: date
    valid_to: date | None


# (first day, last day) as ordinals, and who owns the place then.
Entry = tuple[int, int, Owner]
# An entry with its polygon, for the point grid.
_Candidate = tuple[int, int, BaseGeometry, Owner]


def _entry(row: TerritoryRow) -> Entry:
    last = row.valid_to.toordinal() if row.valid_to else _FOREVER
    return (row.valid_from.toordinal(), last, Owner(row.dealer_id, row.dealer_code, row.id, row.exclusive))


def _first_valid(entries: Iterable[Entry], day: int) -> Owner | None:
    for first, last, owner in entries:
        if first <= day <= last:
            return owner
    return None


def _tiered(*groups: Iterable[Entry]) -> tuple[Entry, ...]:
    """Entries of every group, exclusive ones first, each group keeping its order."""
    ordered = [e for group in groups for e in group]
    return tuple([e for e in ordered if e[2].exclusive] + [e for e in ordered if not e[2].exclusive])


class TerritoryIndex:
    """One snapshot of the territories, answering lookups without the database (the process's
    current one: :func:`territory_index`)."""

    def __init__(self, rows: Sequence[TerritoryRow]) -> None:
        self.size = len(rows)
        self._exact: dict[str, list[Entry]] = defaultdict(list)
        self._prefix: dict[str, list[Entry]] = defaultdict(list)
        polygons = [r for r in rows if r.geometry is not None]
        for row in sorted((r for r in rows if r.geometry is None), key=lambda r: r.id):
            for code in row.postal_codes:
                if code.endswith("*"):
                    self._prefix[code[:-1]].append(_entry(row))
                else:
                    self._exact[code].append(_entry(row))
        shapes = shapely.from_geojson([r.geometry for r in polygons]) if polygons else np.array([], dtype=object)
        # Rank = position: exclusive first, then the smaller (more specific) area.
        areas = area_km2(shapes) if polygons else []
        order = sorted(range(len(polygons)), key=lambda i: (not polygons[i].exclusive, areas[i], polygons[i].id))
        self._shapes = shapes[order] if polygons else shapes
        shapely.prepare(self._shapes)
        self._polygon_entries = [_entry(polygons[i]) for i in order]
        self._first = np.array([e[0] for e in self._polygon_entries], dtype=np.int64)
        self._last = np.array([e[1] for e in self._polygon_entries], dtype=np.int64)
        self._owners = [e[2] for e in self._polygon_entries]
        self._tree = shapely.STRtree(self._shapes) if polygons else None
        self._by_postal_code = self._postal_code_entries()
        self._build_grid()

    # --- building -------------------------------------------------------------------

    def _code_entries(self, code: str) -> tuple[list[Entry], ...]:
        """Exact, then prefixes longest first."""
        return (self._exact.get(code, []), *(self._prefix.get(code[:n], []) for n in range(min(4, len(code)), 0, -1)))

    def _postal_code_entries(self) -> dict[str, tuple[Entry, ...]]:
        """Every known CAP's candidates in precedence order, polygons by the CAP's point."""
        caps = postal_code_index()
        in_polygons: dict[int, list[int]] = defaultdict(list)
        if self._tree is not None:
            point_index, polygon_index = self._tree.query(caps.points, predicate="intersects")
            for p, g in sorted(zip(point_index.tolist(), polygon_index.tolist())):
                in_polygons[p].append(g)
        entries = {}
        for p, code in enumerate(caps.codes):
            candidates = _tiered(*self._code_entries(code), (self._polygon_entries[g] for g in in_polygons.get(p, ())))
            if candidates:
                entries[code] = candidates
        return entries

    def _build_grid(self) -> None:
        """Candidate polygons per grid cell (by bounding box), in rank order, so a point costs a
        cell lookup and an exact test on a few prepared polygons; no point geometry is made.
        Kept twice: Python tuples for single points, CSR arrays for batches."""
        self._cells: list[tuple[_Candidate, ...]] = []
        self._cell_start = np.zeros(1, dtype=np.int64)
        self._cell_ranks = np.zeros(0, dtype=np.int64)
        self._nx = self._ny = 0
        self._x0 = self._y0 = 0.0
        self._inverse = 1.0
        if not len(self._shapes):
            return
        bounds = shapely.bounds(self._shapes)
        x0, y0 = bounds[:, 0].min(), bounds[:, 1].min()
        width, height = bounds[:, 2].max() - x0, bounds[:, 3].max() - y0
        extent = np.maximum(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1])
        step = float(np.clip(np.median(extent) / 4, _CELL_MIN, _CELL_MAX))
        step = max(step, float(np.sqrt(width * height / _MAX_CELLS)))
        nx, ny = int(width / step) + 1, int(height / step) + 1
        i0, j0, i1, j1 = (((bounds - [x0, y0, x0, y0]) / step).astype(np.int64)).T
        cells: list[list[_Candidate]] = [[] for _ in range(nx * ny)]
        pairs_cell, pairs_rank = [], []
        for g, (first, last, owner) in enumerate(self._polygon_entries):  # rank order: so is each cell's
            candidate = (first, last, self._shapes[g], owner)
            covered = (np.arange(j0[g], j1[g] + 1)[:, None] * nx + np.arange(i0[g], i1[g] + 1)).ravel()
            for cell in covered.tolist():
                cells[cell].append(candidate)
            pairs_cell.append(covered)
            pairs_rank.append(np.full(len(covered), g, dtype=np.int64))
        empty: tuple[_Candidate, ...] = ()
        self._cells = [tuple(c) if c else empty for c in cells]
        cell_of_pair = np.concatenate(pairs_cell)
        order = np.argsort(cell_of_pair, kind="stable")  # stable: ranks stay in order within a cell
        self._cell_ranks = np.concatenate(pairs_rank)[order]
        self._cell_start = np.zeros(nx * ny + 1, dtype=np.int64)
        np.cumsum(np.bincount(cell_of_pair, minlength=nx * ny), out=self._cell_start[1:])
        self._nx, self._ny, self._x0, self._y0, self._inverse = nx, ny, float(x0), float(y0), 1.0 / step

    # --- lookups --------------------------------------------------------------------

    def owner_of(self, postal_code: str | None = None, point: tuple[float, float] | None = None,
                 on: date | None = None) -> Owner | None:
        """Who owns a postal code or a (lat, lon) point on a day (today by default); None: nobody,
        the network's holding queue. Given both, polygons are tested with the point."""
        day = (on or today()).toordinal()
        if point is None:
            if postal_code is None:
                raise ValueError("give a postal code or a point")
            code = postal_code.strip()
            entries = self._by_postal_code.get(code)
            if entries is None:
                entries = _tiered(*self._code_entries(code))
            return _first_valid(entries, day)
        lat, lon = point
        if postal_code is None:
            return self._polygon_owner(lon, lat, day)
        code = postal_code.strip()
        return _first_valid(_tiered(*self._code_entries(code), self._polygons_at(lon, lat)), day)

    def _polygon_owner(self, lon: float, lat: float, day: int) -> Owner | None:
        i = int((lon - self._x0) * self._inverse)
        j = int((lat - self._y0) * self._inverse)
        if not (0 <= i < self._nx and 0 <= j < self._ny and lon >= self._x0 and lat >= self._y0):
            return None
        for first, last, shape, owner in self._cells[j * self._nx + i]:
            if first <= day <= last and intersects_xy(shape, lon, lat):
                return owner
        return None

    def _polygons_at(self, lon: float, lat: float) -> list[Entry]:
        if self._tree is None:
            return []
        hits = self._tree.query(shapely.Point(lon, lat), predicate="intersects")
        return [self._polygon_entries[g] for g in sorted(hits.tolist())]

    def owners_of_points(self, lats: Sequence[float] | np.ndarray, lons: Sequence[float] | np.ndarray,
                         on: date | None = None) -> list[Owner | None]:
        """:meth:`owner_of` for many points at once (polygon territories), vectorized."""
        return [None if g < 0 else self._owners[g] for g in self.polygon_ranks(lats, lons, on).tolist()]

    def polygon_ranks(self, lats: Sequence[float] | np.ndarray, lons: Sequence[float] | np.ndarray,
                      on: date | None = None) -> np.ndarray:
        """The winning polygon of each point (an index into the snapshot's polygons), -1 for none."""
        x = np.asarray(lons, dtype=float)
        y = np.asarray(lats, dtype=float)
        best = np.full(len(x), -1, dtype=np.int64)
        if not len(self._shapes) or not len(x):
            return best
        day = (on or today()).toordinal()
        i = np.floor((x - self._x0) * self._inverse)
        j = np.floor((y - self._y0) * self._inverse)
        inside = (i >= 0) & (i < self._nx) & (j >= 0) & (j < self._ny)
        points = np.flatnonzero(inside)
        cell = j[inside].astype(np.int64) * self._nx + i[inside].astype(np.int64)
        start, count = self._cell_start[cell], self._cell_start[cell + 1] - self._cell_start[cell]
        # Every (point, candidate) pair, candidates in rank order within each point.
        point_of_pair = np.repeat(points, count)
        offset = np.arange(len(point_of_pair)) - np.repeat(np.cumsum(count) - count, count)
        rank = self._cell_ranks[np.repeat(start, count) + offset]
        live = (self._first[rank] <= day) & (day <= self._last[rank])
        point_of_pair, rank = point_of_pair[live], rank[live]
        hit = shapely.intersects_xy(self._shapes[rank], x[point_of_pair], y[point_of_pair])
        point_of_pair, rank = point_of_pair[hit], rank[hit]
        first = np.ones(len(point_of_pair), dtype=bool)
        first[1:] = point_of_pair[1:] != point_of_pair[:-1]
        best[point_of_pair[first]] = rank[first]
        return best


# --- the process's snapshot -------------------------------------------------------------

async def _build() -> TerritoryIndex:
    rows = await _load()
    # Parsing polygons and building the trees is CPU work: off the event loop.
    return await asyncio.to_thread(TerritoryIndex, rows)


TERRITORIES: Snapshot[TerritoryIndex] = Snapshot("territories", _build, REFRESH_SECONDS, single_flight=True)


def territories_changed() -> None:
    """Call after a territory is saved or deleted: the next lookup in this process rebuilds."""
    TERRITORIES.forget()


forget = territories_changed  # tests, after emptying the tables behind its back


async def territory_index(max_age: float = REFRESH_SECONDS) -> TerritoryIndex:
    """The current snapshot: rebuilt after a change here, or when older than ``max_age`` seconds."""
    return await TERRITORIES.get(max_age)


async def owner_of(postal_code: str | None = None, point: tuple[float, float] | None = None,
                   on: date | None = None) -> Owner | None:
    """Who owns a postal code or a (lat, lon) point on ``on`` (today): see :meth:`TerritoryIndex.owner_of`."""
    return (await territory_index()).owner_of(postal_code, point, on)


async def owners_of_points(lats: Sequence[float] | np.ndarray, lons: Sequence[float] | np.ndarray,
                           on: date | None = None) -> list[Owner | None]:
    """The owner of each (lat, lon) point on ``on``, by polygon territories."""
    return (await territory_index()).owners_of_points(lats, lons, on)


async def _load() -> list[TerritoryRow]:
    from marketplace.geo.tables import Territory

    rows = await Territory.select(
        Territory.id, Territory.dealer.id.as_alias("dealer_id"), Territory.dealer.code.as_alias("dealer_code"),
        Territory.exclusive, Territory.postal_codes, Territory.geometry, Territory.valid_from, Territory.valid_to,
    ).where(Territory.dealer.active.eq(True))
    return [
        TerritoryRow(
            id=r["id"], dealer_id=r["dealer_id"], dealer_code=r["dealer_code"], exclusive=r["exclusive"],
            postal_codes=tuple(r["postal_codes"]), geometry=r["geometry"], valid_from=r["valid_from"],
            valid_to=r["valid_to"],
        )
        for r in rows
    ]
