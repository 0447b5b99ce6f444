"""An offline Italian gazetteer: postal codes (CAP), comuni and province boundaries.

Built from the files in ``data/`` (see its README for sources and the attribution to show).
Load it with :func:`get_gazetteer`; it is read once per process and then shared.
"""

from __future__ import annotations

import csv
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from marketplace.geo.distance import haversine_km_many

DATA_DIR = Path(__file__).resolve().parent / "data"

_CAP = re.compile(r"\d{5}")

# ~2 km: what the simplified coastlines miss (Genova's harbour, Portoferraio), far short of any
# foreign coast.
_COAST_TOLERANCE_DEG = 0.02

# The source decoded three Slovene names with the wrong code page (Š, ž became C1 controls, č a "?").
_NAME_FIXES = {
    "031019": "San Floriano del Collio-Števerjan",
    "031022": "Savogna d'Isonzo-Sovodnje ob Soči",
    "032001": "Duino Aurisina-Devin Nabrežina",
}

# Names people write that match no official comune name, even ignoring accents and punctuation.
_ALIASES = {
    "Reggio Emilia": "Reggio nell'Emilia",
    "Reggio Calabria": "Reggio di Calabria",
    "Rome": "Roma",
    "Milan": "Milano",
    "Naples": "Napoli",
    "Turin": "Torino",
    "Florence": "Firenze",
    "Venice": "Venezia",
    "Genoa": "Genova",
    "Padua": "Padova",
    "Mantua": "Mantova",
    "Syracuse": "Siracusa",
}


@dataclass(frozen=True, slots=True)
class PostalPlace:
    """One CAP and the point of its localities (GeoNames; big cities share one city-centre point)."""

    postal_code: str
    place: str
    comune: str
    province_code: str
    region: str
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Comune:
    """An ISTAT comune; ``lat``/``lon`` is inside its territory, not the town hall."""

    istat_code: str
    name: str
    province_code: str
    province_name: str
    region: str
    lat: float
    lon: float
    population: int
    postal_codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Area:
    """A province and its region."""

    province_code: str
    province_name: str
    region: str


def name_key(name: str) -> str:
    """The form names are matched on: no accents, case, spaces or punctuation.

    So "Agliè", "AGLIE'" and "aglie" meet, as do "L'Aquila"/"L Aquila" and "San Remo"/"Sanremo".
    """
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c)).casefold()


class Gazetteer:
    """Lookups over the bundled data; build it with :func:`get_gazetteer`."""

    def __init__(self, data_dir: Path = DATA_DIR) -> None:
        self._comuni, radius_km = _read_comuni(data_dir / "it_comuni.csv")
        self._postal = _read_postal_places(
            data_dir / "it_postal_code_centroids.csv", {c.istat_code: c for c in self._comuni}, radius_km
        )
        self._by_name: dict[str, list[Comune]] = {}
        # Parts of "A-B" names ("Laveno" for Laveno-Mombello): tried only when no full name matches.
        self._by_part: dict[str, list[Comune]] = {}
        for comune in self._comuni:
            # South Tyrol names are "Italian/German": either half is the comune's name.
            for key in {name_key(comune.name), *(name_key(p) for p in comune.name.split("/"))}:
                self._by_name.setdefault(key, []).append(comune)
            for part in re.split(r"[-/]", comune.name):
                self._by_part.setdefault(name_key(part), []).append(comune)
        for alias, official in _ALIASES.items():
            self._by_name.setdefault(name_key(alias), self._by_name[name_key(official)])

        features = json.loads((data_dir / "it_provinces.geojson").read_text(encoding="utf-8"))["features"]
        geometries = shapely.from_geojson([json.dumps(f["geometry"]) for f in features])
        areas = [
            Area(f["properties"]["prov_acr"], f["properties"]["prov_name"], f["properties"]["reg_name"])
            for f in features
        ]
        shapely.prepare(geometries)
        self._areas = areas
        self._geometries = geometries
        self._tree = shapely.STRtree(geometries)
        self.provinces: list[tuple[Area, BaseGeometry]] = list(zip(areas, geometries, strict=True))
        outline = json.loads((data_dir / "italy_outline.geojson").read_text(encoding="utf-8"))
        self.outline: BaseGeometry = shapely.from_geojson(json.dumps(outline["features"][0]["geometry"]))

    def postal_code(self, code: str) -> PostalPlace | None:
        """The place of a CAP, or None if the CAP is unknown."""
        return self._postal.get(code.strip())

    def is_postal_code(self, code: str) -> bool:
        """Whether ``code`` is a CAP in the data (not just five digits)."""
        return code.strip() in self._postal

    def comune(self, name: str, province_code: str | None = None) -> Comune | None:
        """The comune called ``name`` (accents, case and punctuation ignored).

        Several comuni share a name (Calliano AT/TN, Peglio CO/PU...): one in ``province_code``
        wins, then the most populous.
        """
        candidates = self.comuni_named(name)
        if not candidates:
            return None
        if province_code:
            wanted = province_code.strip().upper()
            candidates = [c for c in candidates if c.province_code == wanted] or candidates
        return candidates[0]

    def comuni_named(self, name: str) -> list[Comune]:
        """Every comune ``name`` may mean, most populous first."""
        key = name_key(name)
        if not key:
            return []
        found = self._by_name.get(key) or self._by_part.get(key) or []
        return sorted(found, key=lambda c: -c.population)

    def comuni(self) -> tuple[Comune, ...]:
        """All comuni, in the file's order (ISTAT's: by region, then province)."""
        return self._comuni

    def locate(self, lat: float, lon: float) -> Area | None:
        """The province a point lies in, or None outside Italy (at sea, abroad, San Marino).

        The boundaries are simplified, so a point up to ~2 km off a province (a harbour, a beach)
        counts as in it.
        """
        return self.locate_many([lat], [lon])[0]

    def locate_many(
        self, lats: Sequence[float] | np.ndarray, lons: Sequence[float] | np.ndarray
    ) -> list[Area | None]:
        """:meth:`locate` for many points at once."""
        x = np.asarray(lons, dtype=float)
        y = np.asarray(lats, dtype=float)
        points = shapely.points(x, y)
        found: list[Area | None] = [None] * len(points)
        # Bounding boxes from the tree, then the exact test on the prepared provinces (a tree
        # query with a predicate would prepare the points instead, which is slower).
        point_index, province_index = self._tree.query(points)
        hit = shapely.intersects_xy(self._geometries[province_index], x[point_index], y[point_index])
        for p, g in zip(point_index[hit].tolist(), province_index[hit].tolist()):
            if found[p] is None:  # a point on a shared border keeps the first province
                found[p] = self._areas[g]
        missed = np.array([i for i, area in enumerate(found) if area is None], dtype=int)
        if missed.size:
            near, province_index = self._tree.query_nearest(
                points[missed], max_distance=_COAST_TOLERANCE_DEG
            )
            for p, g in zip(missed[near].tolist(), province_index.tolist()):
                if found[p] is None:
                    found[p] = self._areas[g]
        return found


# Stands in for "no comune" so the distance check stays one array operation.
_NOWHERE = Comune("", "", "", "", "", 0.0, 0.0, 0, ())


@cache
def get_gazetteer() -> Gazetteer:
    """The process-wide gazetteer (loaded on first use, ~0.1 s)."""
    return Gazetteer()


def _read_rows(path: Path) -> Iterable[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        yield from csv.DictReader(f)


def _read_postal_places(
    path: Path, comuni: dict[str, Comune], radius_km: dict[str, float]
) -> dict[str, PostalPlace]:
    rows = list(_read_rows(path))
    # GeoNames still has Sardinia's pre-2016 provinces, so some of its localities matched no comune
    # there; matching them by name across the region finds them (names are unique within it).
    sardinia = {name_key(c.name): c for c in comuni.values() if c.region == "Sardegna"}
    named = [comuni.get(r["comune_istat_code"]) for r in rows]
    sole = [_sole_comune(row, comune, sardinia) for row, comune in zip(rows, named)]
    lats = np.array([float(r["lat"]) for r in rows])
    lons = np.array([float(r["lon"]) for r in rows])
    # GeoNames puts a few CAPs tens of km off, "accurate" ones too: eight Sardinian CAPs share one
    # point in the Gulf of Cagliari, Bracigliano (SA) sits 46 km south, Fermo 39 km. For a CAP of a
    # single comune, a point beyond twice the comune's radius plus 10 km is such an error, and the
    # comune's own point is the better guess.
    at = [c or _NOWHERE for c in sole]
    off_km = haversine_km_many(lats, lons, [c.lat for c in at], [c.lon for c in at])
    places = {}
    for row, comune, known, lat, lon, off in zip(
        rows, sole, named, lats.tolist(), lons.tolist(), off_km.tolist(), strict=True
    ):
        if comune is not None and off > 2 * radius_km[comune.istat_code] + 10:
            lat, lon = comune.lat, comune.lon
        known = known or comune
        places[row["postal_code"]] = PostalPlace(
            postal_code=row["postal_code"],
            place=row["place_name"],
            # Frazioni have no comune in GeoNames: the locality is the best name there is.
            comune=known.name if known else row["place_name"],
            # The comune's current province, not GeoNames' (CA for comuni now in SU).
            province_code=known.province_code if known else row["province_code"],
            region=row["region_name"],
            lat=lat,
            lon=lon,
        )
    return places


def _sole_comune(row: dict[str, str], named: Comune | None, sardinia: dict[str, Comune]) -> Comune | None:
    """The one comune a CAP serves, when that is known."""
    if row["n_comuni"] == "1":
        return named
    if row["n_comuni"] == "0" and row["region_name"] == "Sardegna":
        return sardinia.get(name_key(row["place_name"]))
    return None


def _read_comuni(path: Path) -> tuple[tuple[Comune, ...], dict[str, float]]:
    """The comuni, and the radius of a disc of each one's area (how far its points can spread)."""
    comuni = []
    radius_km = {}
    for row in _read_rows(path):
        comune = Comune(
            istat_code=row["istat_code"],
            name=_NAME_FIXES.get(row["istat_code"], row["name"]),
            province_code=row["province_code"],
            province_name=row["province_name"],
            region=row["region_name"],
            lat=float(row["lat"]),
            lon=float(row["lon"]),
            # Blank for three comuni missing from ISTAT's 2023 population table.
            population=int(row["population_2023"] or 0),
            postal_codes=tuple(_CAP.findall(row["postal_codes"])),
        )
        comuni.append(comune)
        radius_km[comune.istat_code] = math.sqrt(float(row["area_km2"]) / math.pi)
    return tuple(comuni), radius_km
