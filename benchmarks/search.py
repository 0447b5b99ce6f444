"""Network search and transfer requests on a 2,000-dealer, 5,000,000-row pool.

In process: median and p99 of a single-number search for a popular part (held by ~500 dealers)
and a rare one (~5), with the raw SQL holder lookup timed in the same run as the baseline.
Over HTTP (``marketplace serve`` with 2 workers, load from ``wrk`` on loopback, bounded by time):
searches/s with 8 and 64 connections; transfer requests/s on distinct rows; and a contended row
where exactly as many requests succeed as there were units. The last line printed is one JSON
object of the figures.

    python benchmarks/search.py          # embedded PostgreSQL in /tmp/marketplace-bench; needs wrk
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks._database import fresh_database  # noqa: E402
from benchmarks._pool import build_pool, pool_arguments  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = pool_arguments(argparse.ArgumentParser(description=__doc__.splitlines()[0]))
    parser.add_argument("--searches", type=int, default=2000, help="in-process searches per part")
    parser.add_argument("--seconds", type=int, default=10, help="length of each HTTP load run")
    return parser.parse_args()


# The baseline: the holder lookup alone, as plain SQL (index-only scan, no join, no ranking).
RAW_HOLDERS = """
SELECT part, dealer, on_hand - reserved AS available, transfer_price, last_movement_date
FROM stock_item WHERE part = ANY($1::int[]) AND shared AND on_hand > reserved
"""


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


async def pick_parts(db) -> tuple[int, str, str, int, int]:
    """A searcher dealer, a part held by about 500 dealers and one by about 5."""
    counts = await db.run_ddl(
        "SELECT p.part_number, count(*) AS holders FROM stock_item s JOIN part p ON p.id = s.part"
        " WHERE s.shared AND s.on_hand > s.reserved GROUP BY p.part_number")
    popular = min(counts, key=lambda r: abs(r["holders"] - 500))
    rare = min(counts, key=lambda r: abs(r["holders"] - 5))
    searcher = (await db.run_ddl("SELECT id FROM dealer WHERE code = 'D0100'"))[0]["id"]
    return searcher, popular["part_number"], rare["part_number"], popular["holders"], rare["holders"]


async def in_process(args, searcher: int, number: str) -> tuple[float, float, float, float]:
    """(search p50, search p99, raw p50, raw p99) in milliseconds."""
    from marketplace.db import raw_connection
    from marketplace.inventory.normalize import normalize_part_number
    from marketplace.matching.search import search

    for _ in range(50):
        await search(searcher, number)
    times = []
    for _ in range(args.searches):
        started = time.perf_counter()
        await search(searcher, number)
        times.append((time.perf_counter() - started) * 1000)
    raw = []
    async with raw_connection() as connection:
        part_id = await connection.fetchval("SELECT id FROM part WHERE normalized = $1", normalize_part_number(number))
        for _ in range(args.searches):
            started = time.perf_counter()
            await connection.fetch(RAW_HOLDERS, [part_id])
            raw.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), percentile(times, 0.99), statistics.median(raw), percentile(raw, 0.99)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "marketplace", "serve", "--port", str(port), "--workers", "2"],
        env={**os.environ, "MARKETPLACE_POOL_MAX": "8"}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError(f"the server did not start: {server.stderr.read().decode()[-2000:]}")


def wrk(url: str, key: str, connections: int, seconds: int, script: str | None = None) -> tuple[float, int]:
    """(requests/s, non-2xx answers) of a wrk run on loopback."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-H", f"Authorization: Bearer {key}", url]
    if script:
        command[1:1] = ["-s", script]
    output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return rate, int(errors.group(1)) if errors else 0


TRANSFER_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local targets = {%s}
local counter = 0
request = function()
  counter = counter + 1
  local target = targets[(counter %% #targets) + 1]
  local body = '{"supplier": "' .. target[1] .. '", "part_number": "' .. target[2] .. '", "quantity": 1}'
  return wrk.format(nil, "/api/v1/transfers", nil, body)
end
"""


async def transfer_targets(db, searcher: int, count: int) -> list[tuple[str, str]]:
    """Distinct stock rows of other dealers with plenty available."""
    rows = await db.run_ddl(
        f"SELECT d.code, p.part_number FROM stock_item s JOIN dealer d ON d.id = s.dealer JOIN part p ON p.id = s.part"
        f" WHERE s.shared AND s.dealer <> {searcher} AND NOT d.is_central_warehouse AND d.last_feed_at > now() - interval '1 day'"
        f" ORDER BY s.id LIMIT {count}")
    await db.run_ddl(
        f"UPDATE stock_item SET on_hand = 1000000 WHERE id IN (SELECT s.id FROM stock_item s JOIN dealer d ON d.id = s.dealer"
        f" WHERE s.shared AND s.dealer <> {searcher} AND NOT d.is_central_warehouse AND d.last_feed_at > now() - interval '1 day'"
        f" ORDER BY s.id LIMIT {count})")
    return [(r["code"], r["part_number"]) for r in rows]


async def main(args) -> dict:
    from marketplace.accounts.api_keys import create_api_key
    from marketplace.accounts.tables import Role
    from marketplace.db import POOL_OPTIONS
    from marketplace.piccolo_conf import DB

    pool_rows = await build_pool(args)
    await DB.start_connection_pool(min_size=1, max_size=4, **POOL_OPTIONS)
    searcher, popular, rare, popular_holders, rare_holders = await pick_parts(DB)
    print(f"searcher D0100; popular part {popular} ({popular_holders} holders), rare {rare} ({rare_holders})")
    popular_figures = await in_process(args, searcher, popular)
    rare_figures = await in_process(args, searcher, rare)
    key = (await create_api_key(role=Role.dealer_admin, dealer_id=searcher)).key
    targets = await transfer_targets(DB, searcher, 20_000)
    contended = (await DB.run_ddl(
        f"SELECT d.code, p.part_number, s.id FROM stock_item s JOIN dealer d ON d.id = s.dealer JOIN part p"
        f" ON p.id = s.part WHERE s.shared AND s.dealer <> {searcher} AND NOT d.is_central_warehouse"
        f" AND d.last_feed_at > now() - interval '1 day' ORDER BY s.id DESC LIMIT 1"))[0]
    await DB.run_ddl(f"UPDATE stock_item SET on_hand = 300, reserved = 0 WHERE id = {contended['id']}")
    await DB.close_connection_pool()

    port = free_port()
    server = start_server(port)
    base = f"http://127.0.0.1:{port}/api/v1/network/search?q="
    http = {}
    scripts = tempfile.mkdtemp()
    try:
        for label, number in (("popular", popular), ("rare", rare)):
            url = base + urllib.request.quote(number)
            wrk(url, key, 8, 2)  # warm both workers
            for connections in (8, 64):
                rate, errors = wrk(url, key, connections, args.seconds)
                http[f"http_{label}_c{connections}_rps"] = round(rate)
                assert errors == 0, f"{errors} failed searches"
        distinct = Path(scripts, "distinct.lua")
        distinct.write_text(TRANSFER_SCRIPT % ",".join(f'{{"{c}", "{p}"}}' for c, p in targets))
        rate, errors = wrk(f"http://127.0.0.1:{port}", key, 16, args.seconds, str(distinct))
        http["http_transfers_distinct_rps"] = round(rate)
        http["http_transfers_distinct_errors"] = errors
        contended_script = Path(scripts, "contended.lua")
        contended_script.write_text(TRANSFER_SCRIPT % f'{{"{contended["code"]}", "{contended["part_number"]}"}}')
        rate, errors = wrk(f"http://127.0.0.1:{port}", key, 32, 3, str(contended_script))
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(scripts, ignore_errors=True)
    await DB.start_connection_pool(min_size=1, max_size=2, **POOL_OPTIONS)
    row = (await DB.run_ddl(f"SELECT on_hand, reserved FROM stock_item WHERE id = {contended['id']}"))[0]
    won = (await DB.run_ddl(
        f"SELECT count(*) AS n FROM transfer t JOIN dealer d ON d.id = t.supplier JOIN part p ON p.id = t.part"
        f" WHERE d.code = '{contended['code']}' AND p.part_number = '{contended['part_number']}'"))[0]["n"]
    await DB.close_connection_pool()
    http["contended_units"] = 300
    http["contended_created"] = won
    http["contended_refused"] = errors
    http["contended_reserved_after"] = row["reserved"]

    figures = {
        "pool_rows": pool_rows, "popular_holders": popular_holders, "rare_holders": rare_holders,
        "popular_p50_ms": round(popular_figures[0], 2), "popular_p99_ms": round(popular_figures[1], 2),
        "rare_p50_ms": round(rare_figures[0], 2), "rare_p99_ms": round(rare_figures[1], 2),
        "raw_popular_p50_ms": round(popular_figures[2], 2), "raw_popular_p99_ms": round(popular_figures[3], 2),
        "raw_rare_p50_ms": round(rare_figures[2], 2),
        "popular_vs_raw": round(popular_figures[0] / popular_figures[2], 2),
        "rare_vs_raw": round(rare_figures[0] / rare_figures[2], 2),
        **http,
    }
    print(f"in process, popular ({popular_holders} holders): p50 {figures['popular_p50_ms']} ms, "
          f"p99 {figures['popular_p99_ms']} ms; raw holder query p50 {figures['raw_popular_p50_ms']} ms "
          f"({figures['popular_vs_raw']}x)")
    print(f"in process, rare ({rare_holders} holders): p50 {figures['rare_p50_ms']} ms, p99 {figures['rare_p99_ms']} ms;"
          f" raw p50 {figures['raw_rare_p50_ms']} ms ({figures['rare_vs_raw']}x)")
    for name, value in http.items():
        print(f"{name}: {value}")
    return figures


if __name__ == "__main__":
    args = parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed for the HTTP figures: apt-get install wrk")
    fresh_database("marketplace_bench", args.database_url, args.data_dir)
    import marketplace.piccolo_conf  # noqa: F401  (engine built before the loop starts)

    print(json.dumps(asyncio.run(main(args))))
