"""Territory lookups over 2,000 territories, in memory (no database needed).

Builds the Voronoi proposal over 2,000 dealer points drawn from the gazetteer's comuni (one
exclusive MultiPolygon each, clipped to Italy), and 2,000 postal-code territories (each CAP to its
nearest dealer). Measures the snapshot build, single postal-code lookups/s, single point
lookups/s and batched point lookups/s, with the raw shapely ``STRtree.query(point,
predicate="within")`` rate over the same polygons as the baseline in the same run, and the
no-overlap check of saving the whole proposal. The last line printed is one JSON object.

    python benchmarks/territories.py [--territories 2000] [--lookups 200000] [--seed 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from marketplace.geo.gazetteer import get_gazetteer  # noqa: E402
from marketplace.geo.territory_lookup import TerritoryIndex, TerritoryRow  # noqa: E402
from marketplace.geo.territory_overlaps import Footprint, OverlapIndex  # noqa: E402
from marketplace.geo.territory_proposal import Method, Site, propose  # noqa: E402
from marketplace.geo.territory_shapes import postal_code_index  # noqa: E402

ON = date(2026, 6, 1)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--territories", type=int, default=2000)
    parser.add_argument("--lookups", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


def rate(count: int, seconds: float) -> int:
    return round(count / seconds)


def timed(function, *args) -> tuple[float, object]:
    started = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - started, result


def sites(count: int, seed: int) -> list[Site]:
    comuni = random.Random(seed).sample(get_gazetteer().comuni(), count)
    return [Site(i + 1, f"D{i + 1:04d}", c.name, c.name, c.postal_codes[0] if c.postal_codes else "", c.lat, c.lon)
            for i, c in enumerate(comuni)]


def rows_of(proposals, kind: Method) -> list[TerritoryRow]:
    return [
        TerritoryRow(i + 1, p.site.dealer_id, p.site.dealer_code, True,
                     p.postal_codes if kind is Method.postal_codes else (),
                     shapely.to_geojson(p.geometry) if kind is Method.voronoi else None, date(2026, 1, 1), None)
        for i, p in enumerate(proposals) if (p.postal_codes if kind is Method.postal_codes else not p.geometry.is_empty)
    ]


def customers(count: int, seed: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Points where customers are: around CAP points (so denser in cities), with their CAPs."""
    caps = postal_code_index()
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(caps.codes), count)
    lats = caps.lats[pick] + rng.normal(0, 0.03, count)
    lons = caps.lons[pick] + rng.normal(0, 0.03, count)
    return lats, lons, [caps.codes[i] for i in pick.tolist()]


def single_points(index: TerritoryIndex, pairs: list[tuple[float, float]]) -> int:
    return sum(index.owner_of(point=pair, on=ON) is not None for pair in pairs)


def single_codes(index: TerritoryIndex, codes: list[str]) -> int:
    return sum(index.owner_of(code, on=ON) is not None for code in codes)


def raw_tree(tree: shapely.STRtree, pairs: list[tuple[float, float]]) -> int:
    # The baseline: a Point made from the floats, then the tree's within query, nothing else.
    Point = shapely.Point
    return sum(len(tree.query(Point(lon, lat), predicate="within")) > 0 for lat, lon in pairs)


async def async_wrapper(index: TerritoryIndex, codes: list[str]) -> int:
    """The module-level ``owner_of`` with its snapshot in place (no database in this benchmark)."""
    from marketplace.geo import territory_lookup

    index.version = territory_lookup._version  # noqa: SLF001  (installing the snapshot by hand)
    territory_lookup._snapshot = index  # noqa: SLF001
    found = 0
    for code in codes:
        found += await territory_lookup.owner_of(code, on=ON) is not None
    return found


def main(args: argparse.Namespace) -> dict:
    dealers = sites(args.territories, args.seed)
    seconds, voronoi = timed(propose, dealers, Method.voronoi)
    print(f"voronoi proposal over {len(dealers)} dealers: {seconds:.2f} s")
    polygons = rows_of(voronoi, Method.voronoi)
    build_s, index = timed(TerritoryIndex, polygons)
    print(f"snapshot of {len(polygons)} polygon territories built in {build_s * 1000:.0f} ms")
    by_codes = rows_of(propose(dealers, Method.postal_codes), Method.postal_codes)
    code_build_s, code_index = timed(TerritoryIndex, by_codes)
    print(f"snapshot of {len(by_codes)} postal-code territories built in {code_build_s * 1000:.0f} ms")

    lats, lons, codes = customers(args.lookups, args.seed)
    pairs = list(zip(lats.tolist(), lons.tolist()))
    single_points(index, pairs[:5000])  # warm up
    point_s, found = timed(single_points, index, pairs)
    batch_s, owners = timed(index.owners_of_points, lats, lons, ON)
    assert sum(o is not None for o in owners) == found, "batch and single lookups disagree"
    tree = shapely.STRtree(shapely.from_geojson([r.geometry for r in polygons]))
    raw_s, raw_found = timed(raw_tree, tree, pairs)
    points = shapely.points(lons, lats)
    raw_batch_s, _ = timed(lambda: tree.query(points, predicate="within"))
    code_s, _ = timed(single_codes, code_index, codes)
    code_polygon_s, _ = timed(single_codes, index, codes)
    wrapper_s, _ = timed(lambda: asyncio.run(async_wrapper(code_index, codes)))

    footprints = [Footprint(r.id, str(r.id), r.dealer_code, r.valid_from, r.valid_to, shape=s)
                  for r, s in zip(polygons, shapely.from_geojson([r.geometry for r in polygons]))]
    check_s, overlaps = timed(_check_all, footprints)
    assert not overlaps, "the Voronoi proposal overlaps itself"

    n = args.lookups
    figures = {
        "territories": len(polygons),
        "lookups": n,
        "snapshot_build_ms": round(build_s * 1000),
        "postal_code_lookups_per_s": rate(n, code_s),
        "postal_code_lookups_per_s_polygon_territories": rate(n, code_polygon_s),
        "postal_code_lookups_per_s_async_owner_of": rate(n, wrapper_s),
        "point_lookups_per_s": rate(n, point_s),
        "batched_point_lookups_per_s": rate(n, batch_s),
        "baseline_strtree_within_per_s": rate(n, raw_s),
        "baseline_strtree_within_batched_per_s": rate(n, raw_batch_s),
        "points_owned_share": round(found / n, 3),
        "overlap_check_of_whole_proposal_ms": round(check_s * 1000),
    }
    assert abs(raw_found - found) <= n // 1000  # "within" leaves out points on borders; ours keeps them
    print(f"postal-code lookups: {figures['postal_code_lookups_per_s']:,}/s over postal-code territories, "
          f"{figures['postal_code_lookups_per_s_polygon_territories']:,}/s over polygons (by the CAP's point), "
          f"{figures['postal_code_lookups_per_s_async_owner_of']:,}/s through the async owner_of")
    print(f"point lookups: {figures['point_lookups_per_s']:,}/s one at a time, "
          f"{figures['batched_point_lookups_per_s']:,}/s batched ({found / n:.1%} of points owned)")
    print(f"baseline, raw STRtree query(point, predicate='within'): {figures['baseline_strtree_within_per_s']:,}/s "
          f"one at a time, {figures['baseline_strtree_within_batched_per_s']:,}/s vectorized")
    print(f"no-overlap check of the whole proposal (as saving it does): {figures['overlap_check_of_whole_proposal_ms']} ms")
    return figures


def _check_all(footprints: list[Footprint]) -> list:
    index = OverlapIndex(footprints)
    return [o for f in footprints for o in index.overlaps(f, first=True)]


if __name__ == "__main__":
    print(json.dumps(main(parse_args())))
