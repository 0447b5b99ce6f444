"""Pickup quotes for a 3-line cart against 2,000 pickup points and the 5M-row pool.

Builds the pool, opens a pickup point at every dealer, then times quotes for a 3-line cart of
popular parts from customers at random postal codes: median and p99 in process, with the raw SQL
(the pickup points and the cart's stock) timed in the same run. The last line printed is one
JSON object of the figures.

    python benchmarks/pickup.py      # embedded PostgreSQL in /tmp/marketplace-bench
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks._database import fresh_database  # noqa: E402
from benchmarks._pool import build_pool, pool_arguments  # noqa: E402

HOURS = {day: [["08:30", "12:30"], ["14:30", "19:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def parse_args() -> argparse.Namespace:
    parser = pool_arguments(argparse.ArgumentParser(description=__doc__.splitlines()[0]))
    parser.add_argument("--quotes", type=int, default=1000)
    return parser.parse_args()


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


async def main(args) -> dict:
    from marketplace.db import POOL_OPTIONS, raw_connection
    from marketplace.geo.gazetteer import get_gazetteer
    from marketplace.piccolo_conf import DB
    from marketplace.pickup.quotes import _POINTS, _STOCK, customer_place, parse_cart, quote

    pool_rows = await build_pool(args)
    await DB.start_connection_pool(min_size=1, max_size=2, **POOL_OPTIONS)
    async with raw_connection() as connection:
        await connection.execute(
            "INSERT INTO pickup_point (dealer, name, model, address, postal_code, city, lat, lon, opening_hours,"
            " lead_time_minutes, daily_capacity, active, created_at)"
            " SELECT id, 'Ritiro ' || code, 'basic', address, postal_code, city, lat, lon, $1::jsonb, 60, 40, true, now()"
            " FROM dealer WHERE lat IS NOT NULL", json.dumps(HOURS))
        points = await connection.fetchval("SELECT count(*) FROM pickup_point")
        popular = [r["part_number"] for r in await connection.fetch(
            "SELECT p.part_number FROM stock_item s JOIN part p ON p.id = s.part WHERE p.channel = 'online'"
            " GROUP BY p.part_number ORDER BY count(*) DESC LIMIT 3")]
    cart = await parse_cart(",".join(f"{number}:1" for number in popular))
    rng = random.Random(3)
    codes = [c for c in (get_gazetteer().postal_code(f"{n:05d}") for n in range(100, 98200)) if c]
    customers = [customer_place(rng.choice(codes).postal_code, None, None) for _ in range(args.quotes)]
    for place in customers[:50]:
        await quote(cart, *place)
    times, offered = [], []
    for place in customers:
        started = time.perf_counter()
        points_quoted, _ = await quote(cart, *place)
        times.append((time.perf_counter() - started) * 1000)
        offered.append(len(points_quoted))
    raw = []
    async with raw_connection() as connection:
        for _ in range(args.quotes):
            started = time.perf_counter()
            await connection.fetch(_POINTS)
            await connection.fetch(_STOCK, [line.part_id for line in cart])
            raw.append((time.perf_counter() - started) * 1000)
    await DB.close_connection_pool()
    figures = {
        "pool_rows": pool_rows, "pickup_points": points, "cart_lines": len(cart), "quotes": args.quotes,
        "quote_p50_ms": round(statistics.median(times), 2), "quote_p99_ms": round(percentile(times, 0.99), 2),
        "raw_sql_p50_ms": round(statistics.median(raw), 2), "raw_sql_p99_ms": round(percentile(raw, 0.99), 2),
        "points_offered_median": statistics.median(offered),
    }
    figures["quote_vs_raw"] = round(figures["quote_p50_ms"] / figures["raw_sql_p50_ms"], 2)
    print(f"{points} pickup points, a {len(cart)}-line cart of popular parts, {args.quotes} customers at random CAPs")
    print(f"quote p50 {figures['quote_p50_ms']} ms, p99 {figures['quote_p99_ms']} ms; raw SQL p50 "
          f"{figures['raw_sql_p50_ms']} ms ({figures['quote_vs_raw']}x); median points offered {figures['points_offered_median']}")
    return figures


if __name__ == "__main__":
    args = parse_args()
    fresh_database("marketplace_bench", args.database_url, args.data_dir)
    import marketplace.piccolo_conf  # noqa: F401  (engine built before the loop starts)

    print(json.dumps(asyncio.run(main(args))))
