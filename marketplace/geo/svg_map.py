"""Server-side SVG maps of Italy: outline, provinces, territories, dealers, conflicts.

No tiles and no script: one inline ``<svg>`` drawn from the gazetteer's boundaries, projected
equirectangularly with longitudes shortened by cos(42°) so Italy keeps its shape. Geometries are
simplified to about a pixel and written as whole half-pixels in relative moves, with the styling
in one ``<style>``, so a map of a few hundred dealers' territories stays near 200 KB. Tooltips are
``<title>`` elements.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from html import escape

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from marketplace.geo.gazetteer import get_gazetteer
from marketplace.geo.territory_shapes import CENTRE_LAT, as_multipolygon

WIDTH = 2000
_MARGIN = 16
_COS_CENTRE = math.cos(math.radians(CENTRE_LAT))
# Degrees: about a pixel of a 1000 px wide map (0.0089° of longitude).
_AREA_TOLERANCE = 0.007
_BORDER_TOLERANCE = 0.01


@dataclass(frozen=True, slots=True)
class MapArea:
    """A territory to draw: a polygon, or the points of its postal codes (lon, lat rows)."""

    title: str
    colour: str
    exclusive: bool
    shape: BaseGeometry | None = None
    points: np.ndarray | None = None


@dataclass(frozen=True, slots=True)
class MapPoint:
    title: str
    lat: float
    lon: float
    colour: str = ""  # a fill of its own (the pulse colours dealers by a figure); the default dark otherwise


@dataclass(frozen=True, slots=True)
class MapConflict:
    """Where two exclusive territories overlap: the common area, or the shared CAPs' points."""

    title: str
    shape: BaseGeometry


def dealer_colour(code: str) -> str:
    """A colour of its own for each dealer code, the same on every page and every day."""
    digest = zlib.crc32(code.encode())
    hue = digest % 360
    saturation = 55 + (digest >> 9) % 25
    lightness = 34 + (digest >> 17) % 16  # dark enough for yellows to show on the pale land
    return f"hsl({hue} {saturation}% {lightness}%)"


class _Projection:
    """Lon/lat to whole map units (half a pixel of a 1000 px wide map)."""

    def __init__(self, bounds: tuple[float, float, float, float]) -> None:
        minx, miny, maxx, maxy = bounds
        self.scale = (WIDTH - 2 * _MARGIN) / ((maxx - minx) * _COS_CENTRE)
        self.left, self.top = minx, maxy
        self.height = round((maxy - miny) * self.scale + 2 * _MARGIN)

    def xy(self, lon: np.ndarray | float, lat: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        x = np.rint((np.asarray(lon) - self.left) * _COS_CENTRE * self.scale + _MARGIN).astype(np.int64)
        y = np.rint((self.top - np.asarray(lat)) * self.scale + _MARGIN).astype(np.int64)
        return x, y

    def path(self, geometry: BaseGeometry) -> str:
        """SVG path data of a geometry's polygon rings: a move, then relative lines (short)."""
        parts = []
        for polygon in shapely.get_parts(geometry):
            if polygon.geom_type != "Polygon" or polygon.is_empty:
                continue
            for ring in (polygon.exterior, *polygon.interiors):
                x, y = self.xy(*np.asarray(ring.coords)[:, :2].T)
                keep = np.ones(len(x), dtype=bool)
                keep[1:] = (np.diff(x) != 0) | (np.diff(y) != 0)  # points merged by the rounding
                x, y = x[keep], y[keep]
                if len(x) < 4:  # smaller than a pixel or so
                    continue
                steps = _numbers(np.column_stack((np.diff(x[:-1]), np.diff(y[:-1]))).ravel())
                parts.append(f"M{x[0]} {y[0]}l{steps}z")
        return "".join(parts).replace(" -", "-")

    def dots(self, points: np.ndarray) -> str:
        """Path data drawing a dot per (lon, lat) row (zero-length segments with round caps)."""
        x, y = self.xy(points[:, 0], points[:, 1])
        return "".join(f"M{a} {b}h0" for a, b in zip(x.tolist(), y.tolist())).replace(" -", "-")


def _numbers(values: np.ndarray) -> str:
    return " ".join(map(str, values.tolist()))


@cache
def _base() -> tuple[_Projection, str, str]:
    """The projection, Italy's outline and the province borders: the same on every map."""
    gazetteer = get_gazetteer()
    projection = _Projection(gazetteer.outline.bounds)
    outline = projection.path(shapely.simplify(gazetteer.outline, _BORDER_TOLERANCE))
    borders = "".join(
        projection.path(shapely.simplify(geometry, _BORDER_TOLERANCE, preserve_topology=True))
        for _, geometry in gazetteer.provinces
    )
    return projection, outline, borders


# Shared presentation, so each element carries only its colour (``color``) and shape.
_STYLE = (
    "<style>"
    ".territory-map .territory{fill:currentColor;fill-opacity:.6;stroke:currentColor;stroke-width:1.2;fill-rule:evenodd}"
    ".territory-map .territory.shared{fill-opacity:.35;stroke-dasharray:6 4}"
    ".territory-map .territory.dots{fill:none;stroke-width:8;stroke-linecap:round}"
    ".territory-map .territory.dots.shared{stroke-width:6;stroke-opacity:.6;stroke-dasharray:none}"
    ".territory-map .hatch{fill:url(#shared-hatch);fill-rule:evenodd;pointer-events:none}"
    ".territory-map .conflict{fill:url(#conflict-hatch);stroke:#c00;stroke-width:2;fill-rule:evenodd}"
    ".territory-map .conflict.dots{fill:none;stroke-width:14;stroke-linecap:round;stroke-opacity:.8}"
    ".territory-map .dealer{fill:#1b1f24;stroke:#fff;stroke-width:1.2}"
    ".territory-map .dealers{fill:none;stroke:#1b1f24;stroke-width:4;stroke-linecap:round}"
    "</style>"
)
# More dealers than this are drawn as one path without a tooltip each (the territories name them).
DEALER_TOOLTIPS = 400


def render_map(areas: Sequence[MapArea], dealers: Sequence[MapPoint] = (), conflicts: Sequence[MapConflict] = (),
               *, title: str = "") -> str:
    """The map as an inline ``<svg>`` element (markup, safe to insert as is)."""
    projection, outline, borders = _base()
    out = [
        f'<svg class="territory-map" viewBox="0 0 {WIDTH:.0f} {projection.height}" role="img" aria-label="{escape(title)}">',
        _STYLE,
        "<defs>"
        '<pattern id="conflict-hatch" patternUnits="userSpaceOnUse" width="12" height="12" patternTransform="rotate(45)">'
        '<rect width="12" height="12" fill="#fff" fill-opacity=".4"/><rect width="6" height="12" fill="#c00"/></pattern>'
        '<pattern id="shared-hatch" patternUnits="userSpaceOnUse" width="10" height="10" patternTransform="rotate(-45)">'
        '<rect width="3" height="10" fill="#000" fill-opacity=".25"/></pattern>'
        "</defs>",
        f'<path d="{outline}" fill="#f3f1ea" stroke="#8a8a8a" stroke-width="1.6"/>',
    ]
    for area in areas:
        tooltip = f"<title>{escape(area.title)}</title>"
        shared = "" if area.exclusive else " shared"
        if area.shape is not None:
            data = projection.path(shapely.simplify(area.shape, _AREA_TOLERANCE, preserve_topology=True))
            if data:
                out.append(f'<path class="territory{shared}" color="{area.colour}" d="{data}">{tooltip}</path>')
                if shared:  # hatched as well, so an exclusive area shows through a shared one
                    out.append(f'<path class="hatch" d="{data}"/>')
        elif area.points is not None and len(area.points):
            out.append(f'<path class="territory dots{shared}" color="{area.colour}" d="{projection.dots(area.points)}">'
                       f"{tooltip}</path>")
    out.append(f'<path d="{borders}" fill="none" stroke="#9a9a9a" stroke-width=".7" pointer-events="none"/>')
    for conflict in conflicts:
        tooltip = f"<title>{escape(conflict.title)}</title>"
        parts = shapely.get_parts(conflict.shape)
        points = shapely.get_coordinates([p for p in parts if p.geom_type in ("Point", "MultiPoint")])
        data = projection.path(as_multipolygon(conflict.shape))
        if data:
            out.append(f'<path class="conflict" d="{data}">{tooltip}</path>')
        if len(points):
            out.append(f'<path class="conflict dots" d="{projection.dots(points)}">{tooltip}</path>')
    if len(dealers) <= DEALER_TOOLTIPS:
        for dealer in dealers:
            x, y = projection.xy(dealer.lon, dealer.lat)
            fill = f' style="fill:{escape(dealer.colour)}"' if dealer.colour else ""
            out.append(f'<circle class="dealer" cx="{x}" cy="{y}" r="4.5"{fill}><title>{escape(dealer.title)}</title></circle>')
    else:
        by_colour: dict[str, list] = {}
        for d in dealers:
            by_colour.setdefault(d.colour, []).append((d.lon, d.lat))
        for colour, points in by_colour.items():
            stroke = f' style="stroke:{escape(colour)}"' if colour else ""
            out.append(f'<path class="dealers" d="{projection.dots(np.array(points))}"{stroke}/>')
    out.append("</svg>")
    return "".join(out)
