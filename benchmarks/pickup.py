"""Pickup quotes for a 3-line cart against 2,000 pickup points and the 5M-row pool.

Builds the pool, opens a pickup point at every dealer (capacity 40 parcels a day) with live
orders promised over the next days (some days full), then times quotes for a 3-line cart of
popular parts from customers at random postal codes: median and p99 in process. In the same run,
the raw SQL a quote sends (the cart's stock at the dealers of the points within 50 km, and those
points' booked days) for the same customers, and the first version's SQL (every point and every
holder of the cart's parts). The last line printed is one JSON object of the figures.

    python benchmarks/pickup.py           # embedded PostgreSQL in /tmp/marketplace-bench
    python benchmarks/pickup.py --reuse   # keep the pool an earlier run built (minutes saved)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
import warnings
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks._database import fresh_database  # noqa: E402
from benchmarks._pool import build_pool, pool_arguments  # noqa: E402

HOURS = {day: [["08:30", "12:30"], ["14:30", "19:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def parse_args() -> argparse.Namespace:
    parser = pool_arguments(argparse.ArgumentParser(description=__doc__.splitlines()[0]))
    parser.add_argument("--quotes", type=int, default=1000)
    parser.add_argument("--booked-days", type=int, default=5, help="days ahead with live orders at every point")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the database of an earlier run when it holds the pool (building it takes minutes)")
    return parser.parse_args()


DATABASE = "marketplace_bench"


def server_url(args) -> str:
    """The server to run on: the given one, or the embedded one in the data folder (held for the run)."""
    if args.database_url:
        return args.database_url
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver
    os.makedirs(args.data_dir, exist_ok=True)
    server_url.server = pgserver.get_server(os.path.join(args.data_dir, "pgdata"), cleanup_mode="stop")
    return server_url.server.get_uri()


async def _holds_pool(url: str) -> bool:
    try:
        connection = await asyncpg.connect(url)
    except asyncpg.InvalidCatalogNameError:
        return False
    try:
        return await connection.fetchval("SELECT to_regclass('stock_item') IS NOT NULL"
                                         " AND EXISTS (SELECT FROM stock_item)")
    finally:
        await connection.close()


def open_database(args) -> bool:
    """Point the app at the benchmark database: the pool of an earlier run with ``--reuse`` (True),
    else a fresh one to build."""
    url = server_url(args)
    if args.reuse:
        existing = urlunsplit(urlsplit(url)._replace(path=f"/{DATABASE}"))
        if asyncio.run(_holds_pool(existing)):
            os.environ["MARKETPLACE_DATABASE_URL"] = existing
            os.environ.setdefault("MARKETPLACE_DATA_DIR", args.data_dir)
            return True
    fresh_database(DATABASE, url, args.data_dir)
    return False


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


# The first version's SQL: every point, and every holder of the cart's parts, on every quote.
FIRST_VERSION_POINTS = """
SELECT p.id, p.dealer, d.code, p.name, p.city, p.lat, p.lon, p.opening_hours, p.lead_time_minutes
FROM pickup_point p JOIN dealer d ON d.id = p.dealer
WHERE p.active AND d.active AND p.daily_capacity > 0
"""
FIRST_VERSION_STOCK = """
SELECT dealer, part, on_hand - reserved AS available FROM stock_item
WHERE part = ANY($1::int[]) AND shared AND on_hand > reserved
"""


async def open_points(connection, booked_days: int) -> tuple[int, int]:
    """A point at every dealer, and live orders promised for today and the next ``booked_days - 1``
    days: 0 to 40 a day (the capacity), so about one day in 40 is full. (points, orders)"""
    await connection.execute("DELETE FROM order_line; DELETE FROM customer_order; DELETE FROM pickup_point")
    await connection.execute(
        "INSERT INTO pickup_point (dealer, name, model, address, postal_code, city, lat, lon, opening_hours,"
        " lead_time_minutes, daily_capacity, active, created_at)"
        " SELECT id, 'Ritiro ' || code, 'basic', address, postal_code, city, lat, lon, $1::jsonb, 60, 40, true, now()"
        " FROM dealer WHERE lat IS NOT NULL", json.dumps(HOURS))
    await connection.execute(  # a count from 0 to 40 per point and day, the same in every run
        "INSERT INTO customer_order (pickup_point, customer_name, customer_email, customer_postal_code, status,"
        " pickup_code, token, total, promised_for)"
        " SELECT p.id, 'Cliente', 'cliente@example.com', p.postal_code,"
        " CASE WHEN n % 4 = 0 THEN 'ready_for_pickup' ELSE 'placed' END, 'ACDEFGHJ', p.id || '-' || d || '-' || n,"
        " 10.00, CURRENT_DATE + d"
        " FROM pickup_point p CROSS JOIN generate_series(0, $1 - 1) AS d"
        " CROSS JOIN LATERAL generate_series(1, abs(hashtext(p.dealer || ':' || d)) % 41) AS n", booked_days)
    await connection.execute("VACUUM ANALYZE pickup_point, customer_order")
    return (await connection.fetchval("SELECT count(*) FROM pickup_point"),
            await connection.fetchval("SELECT count(*) FROM customer_order"))


async def popular_cart():
    from marketplace.db import raw_connection
    from marketplace.pickup.quotes import parse_cart

    async with raw_connection() as connection:
        popular = [r["part_number"] for r in await connection.fetch(
            "SELECT p.part_number FROM stock_item s JOIN part p ON p.id = s.part WHERE p.channel = 'online'"
            " GROUP BY p.part_number ORDER BY count(*) DESC LIMIT 3")]
    return await parse_cart(",".join(f"{number}:1" for number in popular))


def random_customers(count: int) -> list[tuple[float, float, str | None]]:
    from marketplace.geo.gazetteer import get_gazetteer
    from marketplace.pickup.quotes import customer_place

    rng = random.Random(3)
    codes = [c for c in (get_gazetteer().postal_code(f"{n:05d}") for n in range(100, 98200)) if c]
    return [customer_place(rng.choice(codes).postal_code, None, None) for _ in range(count)]


async def time_quotes(cart, customers) -> tuple[list[float], list[int]]:
    from marketplace.pickup.quotes import quote

    for place in customers[:50]:
        await quote(cart, *place)
    times, offered = [], []
    for place in customers:
        started = time.perf_counter()
        points_quoted, _ = await quote(cart, *place)
        times.append((time.perf_counter() - started) * 1000)
        offered.append(len(points_quoted))
    return times, offered


async def time_quote_sql(cart, customers) -> list[float]:
    """The statements a quote sends, alone: the cart's stock at the dealers of the points within the
    radius, and those points' booked days (the points within the radius are found beforehand)."""
    from marketplace.calendar import ROME
    from marketplace.db import raw_connection
    from marketplace.inventory.availability import _AT_DEALERS as _STOCK
    from marketplace.pickup.quotes import _BOOKED, DEFAULT_RADIUS_KM, active_points, within

    snapshot = await active_points()
    today = datetime.now(ROME).date()
    parts = [line.part_id for line in cart]
    nearby = []
    for lat, lon, _ in customers:
        near, _ = within(snapshot, lat, lon, DEFAULT_RADIUS_KM)
        points = [snapshot.points[i] for i in near.tolist()]
        nearby.append((list({p.dealer for p in points}), [p.id for p in points],
                       min((p.daily_capacity for p in points), default=0)))
    times = []
    async with raw_connection() as connection:
        for dealers, point_ids, capacity in nearby[:50]:
            await connection.fetch(_STOCK, dealers, parts)
        for dealers, point_ids, capacity in nearby:
            started = time.perf_counter()
            if point_ids:
                await connection.fetch(_STOCK, dealers, parts)
                await connection.fetch(_BOOKED, point_ids, today, capacity)
            times.append((time.perf_counter() - started) * 1000)
    return times


async def time_first_version_sql(cart, count: int) -> list[float]:
    from marketplace.db import raw_connection

    times = []
    async with raw_connection() as connection:
        for _ in range(count):
            started = time.perf_counter()
            await connection.fetch(FIRST_VERSION_POINTS)
            await connection.fetch(FIRST_VERSION_STOCK, [line.part_id for line in cart])
            times.append((time.perf_counter() - started) * 1000)
    return times


def p50_p99(samples: list[float]) -> tuple[float, float]:
    return round(statistics.median(samples), 2), round(percentile(samples, 0.99), 2)


async def main(args, reused: bool) -> dict:
    from marketplace.db import POOL_OPTIONS, raw_connection
    from marketplace.piccolo_conf import DB

    if reused:
        from marketplace.migrate import migrate

        await migrate()
        pool_rows = (await DB.run_ddl("SELECT count(*) AS n FROM stock_item"))[0]["n"]
        print(f"pool: reused, {pool_rows} stock rows", flush=True)
    else:
        pool_rows = await build_pool(args)
    await DB.start_connection_pool(min_size=1, max_size=2, **POOL_OPTIONS)
    async with raw_connection() as connection:
        points, orders = await open_points(connection, args.booked_days)
    cart = await popular_cart()
    customers = random_customers(args.quotes)
    times, offered = await time_quotes(cart, customers)
    raw = await time_quote_sql(cart, customers)
    first = await time_first_version_sql(cart, args.quotes)
    await DB.close_connection_pool()
    figures = {"pool_rows": pool_rows, "pickup_points": points, "live_orders": orders, "cart_lines": len(cart),
               "quotes": args.quotes}
    figures["quote_p50_ms"], figures["quote_p99_ms"] = p50_p99(times)
    figures["raw_sql_p50_ms"], figures["raw_sql_p99_ms"] = p50_p99(raw)
    figures["first_version_sql_p50_ms"], figures["first_version_sql_p99_ms"] = p50_p99(first)
    figures["points_offered_median"] = statistics.median(offered)
    figures["quote_vs_raw"] = round(figures["quote_p50_ms"] / figures["raw_sql_p50_ms"], 2)
    print(f"{points} pickup points, {orders} live orders over {args.booked_days} days, a {len(cart)}-line cart of "
          f"popular parts, {args.quotes} customers at random CAPs")
    print(f"quote p50 {figures['quote_p50_ms']} ms, p99 {figures['quote_p99_ms']} ms; its raw SQL p50 "
          f"{figures['raw_sql_p50_ms']} ms, p99 {figures['raw_sql_p99_ms']} ms ({figures['quote_vs_raw']}x); "
          f"the first version's SQL p50 {figures['first_version_sql_p50_ms']} ms, "
          f"p99 {figures['first_version_sql_p99_ms']} ms; median points offered {figures['points_offered_median']}")
    return figures


if __name__ == "__main__":
    args = parse_args()
    reused = open_database(args)
    import marketplace.piccolo_conf  # noqa: F401  (engine built before the loop starts)

    print(json.dumps(asyncio.run(main(args, reused))))
