"""The monthly settlement of 1,000,000 ledger transactions across 2,000 dealers (central clearing).

Loads a month of transfer transactions (4 balanced lines each) by COPY, then times the settlement
end to end (statements with opening and closing balances and totals by kind, the netting
payments, and writing them), and in the same run the raw SQL aggregate alone as the baseline.
The last line printed is one JSON object of the figures.

    python benchmarks/settlement.py      # embedded PostgreSQL in /tmp/marketplace-bench
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks._database import fresh_database  # noqa: E402

PERIOD = "2026-11"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a PostgreSQL server (a fresh database is created on it)")
    parser.add_argument("--data-dir", default="/tmp/marketplace-bench", help="embedded server folder")
    parser.add_argument("--dealers", type=int, default=2000)
    parser.add_argument("--transactions", type=int, default=1_000_000)
    return parser.parse_args()


def ledger_copy(dealers: int, transactions: int) -> tuple[bytes, bytes]:
    """COPY text for the entries and their lines: transfers between random dealers in the month."""
    rng = random.Random(11)
    entries, lines = [], []
    for entry in range(1, transactions + 1):
        requester, supplier = rng.sample(range(1, dealers + 1), 2)
        goods = rng.randint(100, 50000)  # cents
        day = rng.randint(1, 30)
        entries.append(f"{entry}\ttransfer\ttransfer:{entry}\t\t2026-11-{day:02d} 10:00:00+00\t{PERIOD}\tf\t1\n")
        goods_text = f"{goods // 100}.{goods % 100:02d}"
        lines.append(f"{entry}\tdealer:D{requester:04d}\t{requester}\ttransfer_price\t-{goods_text}\n"
                     f"{entry}\tdealer:D{supplier:04d}\t{supplier}\ttransfer_price\t{goods_text}\n"
                     f"{entry}\tdealer:D{requester:04d}\t{requester}\thandling_fee\t-2.00\n"
                     f"{entry}\tnetwork\t\\N\thandling_fee\t2.00\n")
    return "".join(entries).encode(), "".join(lines).encode()


async def load(args) -> None:
    from marketplace.db import raw_connection
    from marketplace.migrate import migrate

    await migrate()
    entries, lines = ledger_copy(args.dealers, args.transactions)
    async with raw_connection() as connection:
        await connection.copy_records_to_table(
            "dealer", columns=["code", "name", "address", "postal_code", "city", "province", "lat", "lon", "tier",
                               "active", "is_central_warehouse"],
            records=[(f"D{n:04d}", f"Dealer {n}", "", "20121", "Milano", "MI", 45.46, 9.19, "urban", True, False)
                     for n in range(1, args.dealers + 1)])
        # Fixture data, known balanced: the per-statement balance trigger is skipped for the load.
        await connection.execute("SET session_replication_role = replica")
        await connection.copy_to_table(
            "ledger_entry", source=io.BytesIO(entries),
            columns=["id", "kind", "source", "description", "booked_at", "period", "adjustment", "rules_version"])
        await connection.copy_to_table("ledger_line", source=io.BytesIO(lines),
                                       columns=["entry", "account", "dealer", "kind", "amount"])
        await connection.execute("SET session_replication_role = origin")
        await connection.execute("SELECT setval('ledger_entry_id_seq', (SELECT max(id) FROM ledger_entry))")
        await connection.execute("VACUUM ANALYZE ledger_entry")
        await connection.execute("VACUUM ANALYZE ledger_line")


async def main(args) -> dict:
    from marketplace.db import POOL_OPTIONS, raw_connection
    from marketplace.piccolo_conf import DB
    from marketplace.settlement.settlements import _AGGREGATE, compute, get_settlement

    started = time.perf_counter()
    await load(args)
    print(f"ledger: {args.transactions:,} transactions, {args.transactions * 4:,} lines, "
          f"{args.dealers:,} dealers, loaded in {time.perf_counter() - started:.0f} s", flush=True)
    await DB.start_connection_pool(min_size=1, max_size=2, **POOL_OPTIONS)
    async with raw_connection() as connection:
        started = time.perf_counter()
        await connection.fetch(_AGGREGATE, PERIOD)
        raw = time.perf_counter() - started
    started = time.perf_counter()
    await compute(PERIOD)
    first = time.perf_counter() - started
    started = time.perf_counter()
    await compute(PERIOD)  # a recompute: the same figures
    again = time.perf_counter() - started
    settlement = await get_settlement(PERIOD)
    await DB.close_connection_pool()
    parties = sum(1 for s in settlement["statements"] if s["closing"] != s["opening"])
    # Central clearing: the network collects every settled debt and pays every settled credit.
    settled = {s["account"]: s["closing"] - s["carried"] for s in settlement["statements"] if s["account"] != "network"}
    collected = sum(p["amount"] for p in settlement["payments"] if p["method"] == "direct_debit")
    paid = sum(p["amount"] for p in settlement["payments"] if p["method"] == "credit_transfer")
    assert collected == -sum(v for v in settled.values() if v < 0), collected
    assert paid == sum(v for v in settled.values() if v > 0), paid
    assert len(settlement["payments"]) == sum(1 for v in settled.values() if v)
    figures = {
        "transactions": args.transactions, "lines": args.transactions * 4, "dealers": args.dealers,
        "settlement_s": round(first, 2), "recompute_s": round(again, 2), "raw_aggregate_s": round(raw, 2),
        "settlement_vs_raw": round(first / raw, 2), "statements": len(settlement["statements"]),
        "payments": len(settlement["payments"]), "parties_with_balance": parties,
    }
    print(f"settlement (statements + netting + writes): {first:.2f} s; recompute {again:.2f} s")
    print(f"raw SQL aggregate alone: {raw:.2f} s ({figures['settlement_vs_raw']}x)")
    print(f"{figures['statements']} statements, {figures['payments']} SEPA lines for {parties} parties; "
          f"collected {collected} by direct debit, paid {paid} by credit transfer")
    return figures


if __name__ == "__main__":
    args = parse_args()
    fresh_database("marketplace_bench_settlement", args.database_url, args.data_dir)
    import marketplace.piccolo_conf  # noqa: F401  (engine built before the loop starts)

    print(json.dumps(asyncio.run(main(args))))
