"""Where territories overlap: shared CAPs, CAP points inside polygons, common area.

Two postal-code territories overlap when they share a CAP (prefixes expanded against the
gazetteer); a postal-code territory and a polygon when one of its CAP points lies in the polygon;
two polygons when their common area exceeds :data:`TOLERANCE_KM2`, so neighbours drawn by hand
along the same road may touch or cross by a few metres. Only territories valid on a common day
(ends inclusive, no end = forever) can overlap.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import shapely
from shapely.geometry.base import BaseGeometry

from marketplace.geo.territory_shapes import area_km2, postal_code_index

TOLERANCE_KM2 = 0.5
#: At most this many shared codes are named in a message.
LISTED_CODES = 20


@dataclass(frozen=True, slots=True, eq=False)
class Footprint:
    """What a territory covers, in comparable form; compared by identity."""

    territory_id: int | None  # None: not saved yet
    name: str
    dealer_code: str
    valid_from: date
    valid_to: date | None
    caps: frozenset[str] = field(default_factory=frozenset)  # a postal-code territory, expanded
    shape: BaseGeometry | None = None  # a polygon territory

    def meets_in_time(self, other: Footprint) -> bool:
        return self.valid_from <= (other.valid_to or date.max) and other.valid_from <= (self.valid_to or date.max)

    def label(self) -> str:
        number = f"#{self.territory_id} " if self.territory_id is not None else ""
        return f'{number}"{self.name}" of dealer {self.dealer_code}'


@dataclass(frozen=True, slots=True)
class Overlap:
    territory: Footprint
    other: Footprint
    postal_codes: tuple[str, ...]  # the CAPs both cover, sorted
    area_km2: float  # the common area of two polygons (0 for CAPs)
    shape: BaseGeometry  # the common area, or the shared CAPs' points: for maps

    def describe(self) -> str:
        until = self.other.valid_to.isoformat() if self.other.valid_to else "open-ended"
        where = f"overlaps exclusive territory {self.other.label()} (valid {self.other.valid_from.isoformat()} to {until})"
        if self.postal_codes:
            listed = ", ".join(self.postal_codes[:LISTED_CODES])
            more = len(self.postal_codes) - LISTED_CODES
            return (f"{where}: {len(self.postal_codes)} postal code{'s' if len(self.postal_codes) > 1 else ''} "
                    f"in common: {listed}{f' and {more} more' if more > 0 else ''}")
        return f"{where}: {self.area_km2:.1f} km² in common"

    def as_dict(self) -> dict:
        """The overlap for an API answer."""
        if self.postal_codes:
            return {"postal_codes": list(self.postal_codes[:LISTED_CODES]), "postal_code_count": len(self.postal_codes)}
        return {"area_km2": round(self.area_km2, 2)}


class OverlapIndex:
    """Territories indexed for finding what a given one overlaps."""

    def __init__(self, footprints: Sequence[Footprint]) -> None:
        self.footprints = list(footprints)
        self._by_cap: dict[str, list[Footprint]] = defaultdict(list)
        for footprint in self.footprints:
            for cap in footprint.caps:
                self._by_cap[cap].append(footprint)
        self._polygons = [f for f in self.footprints if f.shape is not None]
        self._tree = shapely.STRtree([f.shape for f in self._polygons]) if self._polygons else None

    def overlaps(self, territory: Footprint, *, first: bool = False) -> list[Overlap]:
        """The indexed territories ``territory`` overlaps (itself left out), in index order."""
        shared: dict[Footprint, set[str]] = defaultdict(set)
        common: dict[Footprint, tuple[float, BaseGeometry]] = {}
        caps = postal_code_index()

        def counts(other: Footprint) -> bool:
            return other is not territory and other.meets_in_time(territory)

        if territory.caps:
            for cap in territory.caps:
                for other in self._by_cap.get(cap, ()):
                    shared[other].add(cap)
            if self._tree is not None:
                codes = sorted(territory.caps)
                points = caps.points[[caps.position(code) for code in codes]]
                point_index, polygon_index = self._tree.query(points, predicate="intersects")
                for p, g in zip(point_index.tolist(), polygon_index.tolist()):
                    shared[self._polygons[g]].add(codes[p])
        if territory.shape is not None:
            if self._tree is not None:
                for g in sorted(self._tree.query(territory.shape, predicate="intersects").tolist()):
                    other = self._polygons[g]
                    if not counts(other):
                        continue
                    overlap = shapely.intersection(territory.shape, other.shape)
                    area = area_km2(overlap)
                    if area > TOLERANCE_KM2:
                        common[other] = (area, overlap)
            if self._by_cap:
                for cap in caps.within(territory.shape):
                    for other in self._by_cap.get(cap, ()):
                        shared[other].add(cap)
        found = []
        for other in self.footprints:
            if other in common:
                area, shape = common[other]
                found.append(Overlap(territory, other, (), area, shape))
            elif other in shared and counts(other):
                codes = tuple(sorted(shared[other]))
                points = caps.points[[caps.position(code) for code in codes]]
                found.append(Overlap(territory, other, codes, 0.0, shapely.multipoints(points)))
            else:
                continue
            if first:
                break
        return found


def overlapping_pairs(footprints: Sequence[Footprint]) -> list[Overlap]:
    """Every pair of ``footprints`` that overlaps, once each (for auditing legacy data)."""
    index = OverlapIndex(footprints)
    position = {id(f): i for i, f in enumerate(footprints)}
    return [
        overlap for footprint in footprints for overlap in index.overlaps(footprint)
        if position[id(overlap.other)] > position[id(footprint)]
    ]
