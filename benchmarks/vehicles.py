"""The clerk's vehicle pages on the demo network (``marketplace demo``'s size): server time per page.

Seeds the demo network (300 dealers, 20,000 parts, its diagrams and vehicles) in a fresh database,
signs a demo clerk in, and times in process over HTTP: the VIN typed in the search box (redirect),
the vehicle's groups, a diagram, a diagram with a callout's holders, the two APIs, and the shop's
diagram. The same run's raw baseline is the SQL those pages send, straight on one connection (the
vehicle, its groups, the diagram and its rows, the chains and the stock of a callout's parts).
The last line printed is one JSON object.

    python benchmarks/vehicles.py [--database-url postgresql://...] [--rounds 40]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks._database import fresh_database  # noqa: E402
from benchmarks.pickup import p50_p99  # noqa: E402

DATABASE = "marketplace_bench_vehicles"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a PostgreSQL server (a fresh database is created on it)")
    parser.add_argument("--data-dir", default="/tmp/marketplace-bench-vehicles", help="embedded server folder")
    parser.add_argument("--dealers", type=int, default=300)
    parser.add_argument("--parts", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=40)
    return parser.parse_args()


async def sign_in(client, email: str, password: str) -> None:
    form = await client.get("/login")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', form.text).group(1)
    answer = await client.post("/login", data={"email": email, "password": password, "_csrf_token": token})
    assert answer.status_code == 303, answer.text[:300]


async def time_raw(vin: str, diagram_id: int, numbers: list[str], searcher: int, rounds: int) -> list[float]:
    from marketplace.db import raw_connection
    from marketplace.inventory.availability import stock_for_search
    from marketplace.inventory.chains import _CHAINS
    from marketplace.inventory.normalize import normalize_part_number
    from marketplace.vehicles.catalog import _ROWS

    times = []
    async with raw_connection() as connection:
        for _ in range(rounds):
            started = time.perf_counter()
            model = await connection.fetchval("SELECT model FROM vehicle WHERE vin = $1", vin)
            await connection.fetch("SELECT id, parent, code, name FROM vehicle_group WHERE model = $1", model)
            await connection.fetchrow("SELECT svg FROM vehicle_diagram WHERE id = $1", diagram_id)
            await connection.fetch(_ROWS, diagram_id)
            chains = await connection.fetch(_CHAINS, [normalize_part_number(n) for n in numbers])
            await stock_for_search(connection, [r["id"] for r in chains], searcher)
            times.append((time.perf_counter() - started) * 1000)
    return times


async def main(args) -> dict:
    import logging

    import httpx

    from marketplace.app import create_app
    from marketplace.db import POOL_OPTIONS, raw_connection
    from marketplace.migrate import migrate
    from marketplace.piccolo_conf import DB
    from marketplace.seed import DEMO_PASSWORD, seed_network

    logging.getLogger("httpx").setLevel(logging.WARNING)
    await migrate()
    started = time.perf_counter()
    logins = await seed_network(args.dealers, args.parts, 1, history=False)
    seeded_s = round(time.perf_counter() - started, 1)
    await DB.run_ddl("VACUUM ANALYZE")
    await DB.start_connection_pool(min_size=1, max_size=2, **POOL_OPTIONS)
    clerk = next(login for login in logins if login.role == "dealer_staff")
    async with raw_connection() as connection:
        vin = await connection.fetchval("SELECT vin FROM vehicle ORDER BY vin LIMIT 1")
        diagram_id, ref = await connection.fetchrow(
            "SELECT c.diagram, c.ref FROM vehicle_callout_part c JOIN vehicle_diagram d ON d.id = c.diagram"
            " JOIN vehicle_group g ON g.id = d.subgroup JOIN vehicle v ON v.model = g.model AND v.vin = $1"
            " ORDER BY c.diagram, c.position LIMIT 1", vin)
        numbers = [r["part_number"] for r in await connection.fetch(
            "SELECT p.part_number FROM vehicle_callout_part c JOIN part p ON p.id = c.part"
            " WHERE c.diagram = $1 AND c.ref = $2", diagram_id, ref)]
        searcher = await connection.fetchval("SELECT id FROM dealer WHERE code = $1", clerk.dealer_code)
        diagrams = await connection.fetchval("SELECT count(*) FROM vehicle_diagram")
        callouts = await connection.fetchval("SELECT count(DISTINCT (diagram, ref)) FROM vehicle_callout_part")
    pages = {
        "search_box_vin": f"/search?q={vin.lower()}",
        "vehicle_groups": f"/vehicles/{vin}",
        "diagram": f"/vehicles/{vin}/diagrams/{diagram_id}",
        "diagram_callout_holders": f"/vehicles/{vin}/diagrams/{diagram_id}?ref={ref}",
        "api_vehicle": f"/api/v1/vehicles/{vin}",
        "api_diagram": f"/api/v1/diagrams/{diagram_id}?vin={vin}",
        "shop_diagram": f"/shop/vehicle/{vin}/diagrams/{diagram_id}?ref={ref}",
    }
    figures: dict = {"dealers": args.dealers, "parts": args.parts, "seed_s": seeded_s, "diagrams": diagrams,
                     "callouts": callouts, "rounds": args.rounds}
    from marketplace.accounts.api_keys import create_api_key
    from marketplace.accounts.tables import Role

    key = (await create_api_key(role=Role.dealer_admin, dealer_id=searcher)).key
    app = create_app(own_pool=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        await sign_in(client, clerk.email, DEMO_PASSWORD)
        for name, path in pages.items():
            headers = {"Authorization": f"Bearer {key}"} if path.startswith("/api/") else None
            for _ in range(3):
                await client.get(path, headers=headers)  # warm: plans, caches
            times = []
            for _ in range(args.rounds):
                started = time.perf_counter()
                answer = await client.get(path, headers=headers)
                times.append((time.perf_counter() - started) * 1000)
                assert answer.status_code in (200, 303), (path, answer.status_code, answer.text[:300])
            figures[f"{name}_p50_ms"], figures[f"{name}_p99_ms"] = p50_p99(times)
    raw = await time_raw(vin, diagram_id, numbers, searcher, args.rounds)
    figures["raw_sql_p50_ms"], figures["raw_sql_p99_ms"] = p50_p99(raw)
    figures["callout_page_vs_raw"] = round(figures["diagram_callout_holders_p50_ms"] / figures["raw_sql_p50_ms"], 2)
    await DB.close_connection_pool()
    print(f"demo network {args.dealers} dealers, {args.parts} parts (seeded in {seeded_s} s): {diagrams} diagrams, "
          f"{callouts} callouts")
    for name in pages:
        print(f"{name:26s} p50 {figures[f'{name}_p50_ms']:7.2f} ms  p99 {figures[f'{name}_p99_ms']:7.2f} ms")
    print(f"raw SQL of the callout page p50 {figures['raw_sql_p50_ms']} ms: the page is "
          f"{figures['callout_page_vs_raw']}x its raw SQL")
    return figures


if __name__ == "__main__":
    args = parse_args()
    fresh_database(DATABASE, args.database_url, args.data_dir)
    import marketplace.piccolo_conf  # noqa: F401  (engine built before the loop starts)

    print(json.dumps(asyncio.run(main(args))))
