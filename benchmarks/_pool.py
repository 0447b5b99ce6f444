"""The benchmark pool: the seeded network at full scale (2,000 dealers, 200,000 parts, 5M rows)."""

from __future__ import annotations

import argparse
import time


def pool_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--database-url", help="a PostgreSQL server (a fresh database is created on it)")
    parser.add_argument("--data-dir", default="/tmp/marketplace-bench", help="embedded server folder")
    parser.add_argument("--dealers", type=int, default=2000)
    parser.add_argument("--parts", type=int, default=200_000)
    parser.add_argument("--rows", type=int, default=5_000_000, help="stock rows in the pool")
    return parser


async def build_pool(args) -> int:
    from marketplace.migrate import migrate
    from marketplace.piccolo_conf import DB
    from marketplace.seed import seed_network

    await migrate()
    # Holders follow popularity with a cap at every dealer, so ask for a little more than the target.
    per_dealer = int(args.rows / args.dealers * 1.2)
    started = time.perf_counter()
    await seed_network(args.dealers, args.parts, seed=1, rows_per_dealer=per_dealer)
    await DB.run_ddl("VACUUM ANALYZE")
    rows = (await DB.run_ddl("SELECT count(*) AS n FROM stock_item"))[0]["n"]
    print(f"pool: {args.dealers} dealers, {args.parts} parts, {rows} stock rows built in "
          f"{time.perf_counter() - started:.0f} s", flush=True)
    return rows


