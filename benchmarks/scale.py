"""Scaling out on one machine: network searches/s through 1 app process on the primary, then
through 2 app processes behind PgBouncer with a streaming replica serving the reads.

A cluster like tests/cluster's (Debian's PostgreSQL 15: primary, ``pg_basebackup`` replica,
PgBouncer in transaction mode) on loopback ports in a temp folder, a seeded pool, and ``wrk``
(2 threads, 32 connections, time-bound runs) against ``marketplace serve``. Each configuration
also answers ``GET /health`` in the same run: the framework's ceiling on these cores, so each
search figure is also a ratio. CPU seconds of the app processes and of the database servers are
read from /proc over each search run: CPU per search, the figure docs/deployment.md sizes from.
The last line printed is one JSON object of the figures.

    python benchmarks/scale.py                  # needs wrk, pgbouncer, /usr/lib/postgresql/15/bin
    python benchmarks/scale.py --rows 200000    # a quicker, smaller pool
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.cluster.local_cluster import free_port, missing, start_cluster  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dealers", type=int, default=1000)
    parser.add_argument("--parts", type=int, default=50_000)
    parser.add_argument("--rows", type=int, default=1_000_000, help="stock rows in the pool")
    parser.add_argument("--seconds", type=int, default=8, help="length of each wrk run")
    parser.add_argument("--connections", type=int, default=32)
    return parser.parse_args()


def tree_cpu(pids: list[int]) -> dict[int, float]:
    """CPU seconds (user + system) of each process and its descendants, by pid."""
    seen: dict[int, float] = {}
    for pid in pids:
        try:
            root = psutil.Process(pid)
            for process in [root, *root.children(recursive=True)]:
                times = process.cpu_times()
                seen[process.pid] = times.user + times.system
        except psutil.NoSuchProcess:
            continue
    return seen


def spent(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def postmaster(data: Path) -> int:
    return int((data / "postmaster.pid").read_text().splitlines()[0])


def wrk(url: str, key: str | None, seconds: int, connections: int) -> float:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", url]
    if key:
        command[1:1] = ["-H", f"Authorization: Bearer {key}"]
    output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise RuntimeError(f"{errors.group(1)} failed requests on {url}:\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def serve(port: int, workers: int, env: dict[str, str]) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "marketplace", "serve", "--port", str(port), "--workers", str(workers)], cwd=ROOT,
        env={**os.environ, "MARKETPLACE_POOL_MAX": "8", "MARKETPLACE_SWEEP_SECONDS": "0",
             "MARKETPLACE_LOG_FORMAT": "json", **env},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("the server did not start")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


async def prepare(args, primary_url: str) -> tuple[str, str, int]:
    """Seed the pool on the primary; a searcher's key, a part held by about 300 dealers, its holders."""
    from marketplace.accounts.api_keys import create_api_key
    from marketplace.accounts.tables import Role
    from marketplace.migrate import migrate
    from marketplace.piccolo_conf import DB
    from marketplace.seed import seed_network

    await migrate()
    started = time.perf_counter()
    await seed_network(args.dealers, args.parts, seed=1, rows_per_dealer=int(args.rows / args.dealers * 1.2))
    await DB.run_ddl("VACUUM ANALYZE")
    rows = (await DB.run_ddl("SELECT count(*) AS n FROM stock_item"))[0]["n"]
    print(f"pool: {args.dealers} dealers, {args.parts} parts, {rows} stock rows in {time.perf_counter() - started:.0f} s",
          flush=True)
    counts = await DB.run_ddl(
        "SELECT p.part_number, count(*) AS holders FROM stock_item s JOIN part p ON p.id = s.part"
        " WHERE s.shared AND s.on_hand > s.reserved GROUP BY p.part_number")
    popular = min(counts, key=lambda r: abs(r["holders"] - 300))
    searcher = (await DB.run_ddl("SELECT id FROM dealer WHERE NOT is_central_warehouse ORDER BY code LIMIT 1"))[0]["id"]
    key = await create_api_key(role=Role.dealer_admin, dealer_id=searcher, name="scale benchmark")
    return key.key, popular["part_number"], popular["holders"]


def measure(name: str, base: str, search_path: str, key: str, args, watched: dict[str, list[int]]) -> dict:
    """/health and the search through one configuration, alternated twice, the better run of each
    kept (the machine is shared); CPU seconds per search by tier, over the better search run."""
    wrk(f"{base}/health", None, 2, args.connections)  # warm-up: pools full, caches loaded
    wrk(f"{base}{search_path}", key, 2, args.connections)
    healths, runs = [], []
    for _ in range(2):
        healths.append(wrk(f"{base}/health", None, args.seconds, args.connections))
        before = {tier: tree_cpu(pids) for tier, pids in watched.items()}
        started = time.perf_counter()
        rate = wrk(f"{base}{search_path}", key, args.seconds, args.connections)
        elapsed = time.perf_counter() - started
        runs.append((rate, elapsed, {tier: spent(before[tier], tree_cpu(pids)) for tier, pids in watched.items()}))
    health = max(healths)
    searches, elapsed, cpu = max(runs, key=lambda run: run[0])
    count = searches * args.seconds
    figures = {"health_rps": round(health), "search_rps": round(searches),
               "search_vs_health": round(searches / health, 3),
               "cpu_ms_per_search": {tier: round(seconds / count * 1000, 3) for tier, seconds in cpu.items()},
               "cores_busy": {tier: round(seconds / elapsed, 2) for tier, seconds in cpu.items()}}
    print(f"{name}: /health {health:,.0f}/s, search {searches:,.0f}/s ({searches / health:.2f}x of /health); "
          f"CPU ms per search {figures['cpu_ms_per_search']}", flush=True)
    return figures


def main() -> None:
    args = parse_args()
    why = missing() or (None if shutil.which("wrk") else "no wrk")
    if why:
        sys.exit(f"cannot run: {why}")
    cluster = start_cluster()
    servers: list[subprocess.Popen] = []
    try:
        os.environ.update({"MARKETPLACE_DATABASE_URL": cluster.primary_url,
                           "MARKETPLACE_DATA_DIR": str(cluster.folder / "app"),
                           "MARKETPLACE_SECRET_KEY": "scale-benchmark-secret-key-scale-benchmark"})
        key, part, holders = asyncio.run(prepare(args, cluster.primary_url))
        asyncio.run(cluster.wait_replayed(600))
        search_path = f"/api/v1/network/search?q={urllib.request.quote(part)}"
        databases = {"primary": [postmaster(cluster.folder / "primary")],
                     "replica": [postmaster(cluster.folder / "replica")],
                     "pgbouncer": [cluster._bouncer.pid]}  # runuser's, or pgbouncer's own: its tree counts
        results = {}

        port = free_port()
        server = serve(port, 1, {"MARKETPLACE_DATABASE_URL": cluster.primary_url})
        servers.append(server)
        results["one_process"] = measure("1 app process, primary only", f"http://127.0.0.1:{port}", search_path, key,
                                         args, {"app": [server.pid], **databases})
        stop(servers.pop())

        port = free_port()
        server = serve(port, 2, {"MARKETPLACE_DATABASE_URL": cluster.primary_url})
        servers.append(server)
        results["two_processes"] = measure("2 app processes, primary only", f"http://127.0.0.1:{port}", search_path,
                                           key, args, {"app": [server.pid], **databases})
        stop(servers.pop())

        port = free_port()
        server = serve(port, 2, cluster.app_env())
        servers.append(server)
        results["two_processes_replica"] = measure(
            "2 app processes, PgBouncer + replica reads", f"http://127.0.0.1:{port}", search_path, key, args,
            {"app": [server.pid], **databases})
        stop(servers.pop())

        one, two = results["one_process"], results["two_processes_replica"]
        summary = {
            "benchmark": "scale", "dealers": args.dealers, "parts": args.parts, "rows": args.rows,
            "popular_part_holders": holders, "cores": os.cpu_count(), "seconds": args.seconds,
            "connections": args.connections, **results,
            "speedup_two_with_replica_vs_one": round(two["search_rps"] / one["search_rps"], 3),
            "speedup_two_vs_one": round(results["two_processes"]["search_rps"] / one["search_rps"], 3),
        }
        print(json.dumps(summary))
    finally:
        for server in servers:
            stop(server)
        cluster.stop()
        shutil.rmtree(cluster.folder, ignore_errors=True)


if __name__ == "__main__":
    main()
