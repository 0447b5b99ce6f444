"""The public shop's search on the 200,000-part catalog beside the 5M-row pool.

Times ``search_shop`` (what the search page runs) in process for what customers type: words of
descriptions, beginnings of part numbers and whole numbers (some replaced by newer ones); and the
same run's raw SQL (the search statement and the availability of the parts found) for the same
queries. Then the whole page over HTTP, in process. The last line printed is one JSON object.

    python benchmarks/shop.py           # builds the pool in /tmp/marketplace-bench (minutes)
    python benchmarks/shop.py --reuse   # keep the pool an earlier run built
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
from benchmarks._pool import build_pool, pool_arguments  # noqa: E402
from benchmarks.pickup import open_database, p50_p99  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = pool_arguments(argparse.ArgumentParser(description=__doc__.splitlines()[0]))
    parser.add_argument("--queries", type=int, default=600)
    parser.add_argument("--reuse", action="store_true", help="keep the database of an earlier run")
    return parser.parse_args()


async def typed_queries(count: int) -> list[str]:
    """A third each: one or two words of a description, a number's first 3-6 characters (typed with
    a space), a whole number (about one in ten of them replaced by a newer one)."""
    from marketplace.inventory.tables import Part

    rng = random.Random(5)
    parts = await Part.select(Part.part_number, Part.description).where(Part.channel == "online").limit(20_000)
    old = await Part.select(Part.part_number).where(Part.superseded_by.is_not_null()).limit(2_000)
    queries = []
    for n in range(count):
        part = rng.choice(parts)
        if n % 3 == 0:
            words = part["description"].split()
            queries.append(" ".join(rng.sample(words, min(len(words), rng.choice((1, 2))))))
        elif n % 3 == 1:
            number = part["part_number"].replace(" ", "")
            cut = rng.randint(3, 6)
            queries.append(f"{number[:2]} {number[2:cut]}")
        else:
            queries.append(rng.choice(old)["part_number"] if rng.random() < 0.1 else part["part_number"])
    return queries


async def time_search(queries: list[str]) -> tuple[list[float], list[int]]:
    from marketplace.pickup.storefront import search_shop

    for q in queries[:30]:
        await search_shop(q)  # warm: prepared statements, plans, the chains cache's first misses
    times, found = [], []
    for q in queries:
        started = time.perf_counter()
        result, _ = await search_shop(q)
        times.append((time.perf_counter() - started) * 1000)
        found.append(result.total)
    return times, found


async def time_raw(queries: list[str]) -> list[float]:
    """The statements a search sends, straight on one connection: the chain of the number typed,
    the search, the availability of what it found."""
    from marketplace.db import raw_connection
    from marketplace.inventory.chains import _CHAINS
    from marketplace.inventory.normalize import normalize_part_number
    from marketplace.inventory.search_terms import as_typed, like_escape
    from marketplace.pickup.storefront import _SEARCH, PER_PAGE, words_query

    availability = ("SELECT s.part, sum(s.on_hand - s.reserved)::int FROM stock_item s JOIN dealer d ON d.id = s.dealer"
                    " AND d.active WHERE s.part = ANY($1::int[]) AND s.shared AND s.on_hand > s.reserved GROUP BY s.part")
    times = []
    async with raw_connection() as connection:
        for q in queries:
            typed = normalize_part_number(q)
            started = time.perf_counter()
            chain = await connection.fetch(_CHAINS, [typed]) if typed else []
            newest = next((r["id"] for r in chain if r["generation"] == 0), None)
            rows = await connection.fetch(_SEARCH, f"{like_escape(typed)}%" if typed else None, words_query(q),
                                          newest, PER_PAGE, 0, as_typed(q))
            await connection.fetch(availability, [r["id"] for r in rows])
            times.append((time.perf_counter() - started) * 1000)
    return times


async def time_pages(queries: list[str]) -> list[float]:
    import logging

    import httpx

    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request would drown the figures
    from marketplace.app import create_app

    app = create_app(own_pool=False)
    times = []
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        for q in queries:
            started = time.perf_counter()
            response = await client.get("/shop", params={"q": q})
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text[:300]
    return times


async def main(args, reused: bool) -> dict:
    from marketplace.db import POOL_OPTIONS
    from marketplace.piccolo_conf import DB

    if reused:
        from marketplace.migrate import migrate

        await migrate()
        await DB.run_ddl("VACUUM ANALYZE part")
    else:
        await build_pool(args)
    parts = (await DB.run_ddl("SELECT count(*) AS n FROM part"))[0]["n"]
    rows = (await DB.run_ddl("SELECT count(*) AS n FROM stock_item"))[0]["n"]
    await DB.start_connection_pool(min_size=1, max_size=2, **POOL_OPTIONS)
    queries = await typed_queries(args.queries)
    times, found = await time_search(queries)
    raw = await time_raw(queries)
    pages = await time_pages(queries[: args.queries // 3])
    await DB.close_connection_pool()
    figures = {"parts": parts, "pool_rows": rows, "queries": len(queries),
               "found_median": statistics.median(found), "found_max": max(found)}
    figures["search_p50_ms"], figures["search_p99_ms"] = p50_p99(times)
    figures["raw_sql_p50_ms"], figures["raw_sql_p99_ms"] = p50_p99(raw)
    figures["search_vs_raw"] = round(figures["search_p50_ms"] / figures["raw_sql_p50_ms"], 2)
    figures["page_p50_ms"], figures["page_p99_ms"] = p50_p99(pages)
    print(f"{parts} parts, {rows} stock rows; {len(queries)} searches (words, number beginnings, whole numbers), "
          f"median {figures['found_median']} parts found, at most {figures['found_max']}")
    print(f"search p50 {figures['search_p50_ms']} ms, p99 {figures['search_p99_ms']} ms; its raw SQL p50 "
          f"{figures['raw_sql_p50_ms']} ms, p99 {figures['raw_sql_p99_ms']} ms ({figures['search_vs_raw']}x); "
          f"the page over HTTP p50 {figures['page_p50_ms']} ms, p99 {figures['page_p99_ms']} ms")
    return figures


if __name__ == "__main__":
    args = parse_args()
    reused = open_database(args)
    import marketplace.piccolo_conf  # noqa: F401  (engine built before the loop starts)

    print(json.dumps(asyncio.run(main(args, reused))))
