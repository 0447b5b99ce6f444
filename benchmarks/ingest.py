"""Stock feed ingest on a 2,000-dealer, 5,000,000-row pool.

Publishes 100,000-line CSV full snapshots for one dealer end to end (parse, validate, merge):
a typical nightly one (about 15% of lines changed) and a worst case (every line changed), then
1,000-line deltas; and, in the same run, a raw asyncpg COPY of the same 100,000 rows into an
empty table as the baseline. Then the shop's search runs back to back while a 100,000-line full
snapshot is applied in the same process (the feed parses in the parser process; alternately, for
comparison in the same run, in a worker thread): the p99 of those searches against the same
searches with no feed running. The last line printed is one JSON object
of the figures.

    python benchmarks/ingest.py                      # embedded PostgreSQL in /tmp/marketplace-bench
    python benchmarks/ingest.py --database-url postgresql://postgres@127.0.0.1:5432/postgres
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

FEED_LINES = 100_000


def parse_args() -> argparse.Namespace:
    parser = pool_arguments(argparse.ArgumentParser(description=__doc__.splitlines()[0]))
    parser.add_argument("--repeat", type=int, default=3)
    return parser.parse_args()


def feed_csv(rows: list[list], changed_share: float, rng: random.Random) -> bytes:
    """A DMS export (semicolons, decimal commas); ``changed_share`` of the lines get a new quantity."""
    lines = ["codice;quantita;prezzo;costo;ultimo_movimento"]
    for row in rows:
        if rng.random() < changed_share:
            row[1] = row[1] + 1 if row[1] < 50 else row[1] - 1
        number, quantity, price, cost, moved = row
        lines.append(f"{number};{quantity};{str(price).replace('.', ',')};{str(cost).replace('.', ',')};{moved}")
    return ("\n".join(lines) + "\n").encode()


async def bench_dealer(connection, rng: random.Random) -> tuple[int, list[list]]:
    """A dealer holding 100,000 rows (a large distributor), added beside the seeded ones."""
    from datetime import date, timedelta
    from decimal import Decimal

    dealer_id = await connection.fetchval(
        "INSERT INTO dealer (code, name, address, postal_code, city, province, lat, lon, tier, active,"
        " is_central_warehouse, created_at) VALUES ('BENCH', 'Benchmark Ricambi', '', '20121', 'Milano', 'MI',"
        " 45.46, 9.19, 'distributor', true, false, now()) RETURNING id"
    )
    parts = await connection.fetch("SELECT id, part_number, list_price FROM part ORDER BY id")
    chosen = rng.sample(list(parts), FEED_LINES)
    rows, records = [], []
    for part in chosen:
        quantity = rng.randint(0, 20)
        price = (part["list_price"] * Decimal("0.8")).quantize(Decimal("0.01"))
        cost = (part["list_price"] * Decimal("0.6")).quantize(Decimal("0.01"))
        moved = date.today() - timedelta(days=rng.randrange(0, 900))
        rows.append([part["part_number"], quantity, price, cost, moved.isoformat()])
        records.append((dealer_id, part["id"], quantity, 0, cost, price, moved, True))
    await connection.copy_records_to_table(
        "stock_item", records=records,
        columns=["dealer", "part", "on_hand", "reserved", "unit_cost", "transfer_price", "last_movement_date", "shared"],
    )
    await connection.execute("ANALYZE stock_item")
    return dealer_id, rows


async def raw_copy_seconds(connection, rows: list[list]) -> float:
    """The floor: COPY the same parsed rows into an empty table, nothing else."""
    from datetime import date
    from decimal import Decimal

    await connection.execute("DROP TABLE IF EXISTS copy_baseline")
    await connection.execute("CREATE TABLE copy_baseline (part_number text, qty int, price numeric(12,2),"
                             " cost numeric(12,2), moved date)")
    records = [(r[0], r[1], Decimal(r[2]), Decimal(r[3]), date.fromisoformat(r[4])) for r in rows]
    started = time.perf_counter()
    await connection.copy_records_to_table("copy_baseline", records=records)
    elapsed = time.perf_counter() - started
    await connection.execute("DROP TABLE copy_baseline")
    return elapsed


async def timed_feed(dealer_id: int, data: bytes, mode) -> tuple[float, object]:
    from marketplace.inventory.feeds import apply_feed
    from marketplace.inventory.tables import FeedSource

    started = time.perf_counter()
    report = await apply_feed(dealer_id, data, mode=mode, source=FeedSource.cli)
    elapsed = time.perf_counter() - started
    assert report.applied and not report.rejected, report.error or report.rejected[:3]
    return elapsed, report


async def searches_during(feed: asyncio.Task | None, numbers: list[str], rng: random.Random,
                          least: int = 200) -> list[float]:
    """Shop searches one after another (as customers would) until ``feed`` is done, in ms."""
    from marketplace.pickup.storefront import search_shop

    times: list[float] = []
    while (feed is not None and not feed.done()) or len(times) < least:
        if feed is not None and feed.done() and len(times) >= least:
            break
        q = rng.choice(numbers)
        started = time.perf_counter()
        await search_shop(q)
        times.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(0.002)  # a little room, like requests arriving
        if feed is None and len(times) >= least:
            break
    return times


def p99(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


async def concurrent_search(dealer_id: int, rows: list[list], rng: random.Random, repeat: int) -> dict:
    """Searches idle, then while full feeds apply: parsed in the parser process (as the app does)
    and, alternating in the same run, in a worker thread (as before), so the machine's load
    weighs on both alike."""
    from marketplace.inventory import feed_reader
    from marketplace.inventory.feeds import apply_feed
    from marketplace.inventory.tables import FeedMode, FeedSource

    numbers = [row[0] for row in rng.sample(rows, 2000)]
    for q in numbers[:50]:
        await searches_during(None, [q], rng, least=1)  # warm
    await feed_reader.read_elsewhere(b"codice;quantita\nX;1\n", "text/csv", None)  # the parser process started
    idle = await searches_during(None, numbers, rng, least=600)
    during: dict[bool, list[float]] = {True: [], False: []}
    took: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(repeat):
        for in_process in (True, False):
            feed_reader.IN_PROCESS = in_process
            started = time.perf_counter()
            feed = asyncio.create_task(apply_feed(dealer_id, feed_csv(rows, 0.15, rng), mode=FeedMode.full,
                                                  source=FeedSource.cli))
            during[in_process] += await searches_during(feed, numbers, rng, least=0)
            assert (await feed).applied
            took[in_process].append(time.perf_counter() - started)
    feed_reader.IN_PROCESS = True
    process, thread = during[True], during[False]
    return {"searches_idle": len(idle), "search_idle_p50_ms": round(statistics.median(idle), 1),
            "search_idle_p99_ms": round(p99(idle), 1), "searches_during_feed": len(process),
            "search_during_feed_p50_ms": round(statistics.median(process), 1),
            "search_during_feed_p99_ms": round(p99(process), 1),
            "search_during_feed_max_ms": round(max(process), 1),
            "searches_during_feed_thread": len(thread),
            "search_during_feed_thread_p50_ms": round(statistics.median(thread), 1),
            "search_during_feed_thread_p99_ms": round(p99(thread), 1),
            "search_during_feed_thread_max_ms": round(max(thread), 1),
            "feed_under_searches_s": round(statistics.median(took[True]), 3),
            "feed_under_searches_thread_s": round(statistics.median(took[False]), 3)}


async def main(args) -> dict:
    from marketplace.db import POOL_OPTIONS
    from marketplace.inventory.tables import FeedMode
    from marketplace.piccolo_conf import DB

    pool_rows = await build_pool(args)
    await DB.start_connection_pool(min_size=1, max_size=4, **POOL_OPTIONS)
    rng = random.Random(7)
    async with DB.transaction() as tx:
        dealer_id, rows = await bench_dealer(tx.connection, rng)

    first, _ = await timed_feed(dealer_id, feed_csv(rows, 0.0, rng), FeedMode.full)  # loads the part-id map
    typical = [await timed_feed(dealer_id, feed_csv(rows, 0.15, rng), FeedMode.full) for _ in range(args.repeat)]
    worst = [await timed_feed(dealer_id, feed_csv(rows, 1.0, rng), FeedMode.full) for _ in range(args.repeat)]
    deltas = []
    for _ in range(max(5, args.repeat)):
        sample = rng.sample(rows, 1000)
        deltas.append(await timed_feed(dealer_id, feed_csv(sample, 1.0, rng), FeedMode.delta))
    concurrent = await concurrent_search(dealer_id, rows, rng, args.repeat)
    async with DB.transaction() as tx:
        copy = statistics.median([await raw_copy_seconds(tx.connection, rows) for _ in range(args.repeat)])
    await DB.close_connection_pool()

    typical_s = statistics.median(t for t, _ in typical)
    worst_s = statistics.median(t for t, _ in worst)
    delta_s = statistics.median(t for t, _ in deltas)
    figures = {
        "pool_rows": pool_rows + FEED_LINES, "dealers": args.dealers + 1, "feed_lines": FEED_LINES,
        "first_feed_s": round(first, 3),
        "typical_full_s": round(typical_s, 3), "typical_lines_per_s": int(FEED_LINES / typical_s),
        "worst_full_s": round(worst_s, 3), "worst_lines_per_s": int(FEED_LINES / worst_s),
        "delta_1000_ms": round(delta_s * 1000, 1),
        "raw_copy_s": round(copy, 3), "typical_vs_copy": round(typical_s / copy, 2),
        "worst_vs_copy": round(worst_s / copy, 2), **concurrent,
    }
    print(f"typical full snapshot (~15% changed): {typical_s:.3f} s, {figures['typical_lines_per_s']:,} lines/s")
    print(f"worst case (every line changed):      {worst_s:.3f} s, {figures['worst_lines_per_s']:,} lines/s")
    print(f"1,000-line delta:                     {delta_s * 1000:.1f} ms")
    print(f"raw asyncpg COPY of the same rows:    {copy:.3f} s  (typical {figures['typical_vs_copy']}x, "
          f"worst {figures['worst_vs_copy']}x)")
    print(f"first feed of the process (loads the part-id map): {first:.3f} s")
    print(f"shop search p99: {concurrent['search_idle_p99_ms']} ms idle, {concurrent['search_during_feed_p99_ms']} ms"
          f" while a 100,000-line full feed applies ({concurrent['searches_during_feed']} searches,"
          f" max {concurrent['search_during_feed_max_ms']} ms; parsed in a worker thread instead:"
          f" {concurrent['search_during_feed_thread_p99_ms']} ms, max {concurrent['search_during_feed_thread_max_ms']} ms)")
    print(f"the feed itself under those searches: {concurrent['feed_under_searches_s']} s parsed in the parser process,"
          f" {concurrent['feed_under_searches_thread_s']} s in a worker thread")
    return figures


if __name__ == "__main__":
    args = parse_args()
    fresh_database("marketplace_bench", args.database_url, args.data_dir)
    import marketplace.piccolo_conf  # noqa: F401  (engine built before the loop starts)

    print(json.dumps(asyncio.run(main(args))))
