"""The network pulse at scale: 2,000 dealers, 5,000,000 stock rows, 24 months of 1,000,000 transfers.

Builds the network in the database (server-side ``generate_series``, so the load is minutes, not
hours): dealers across Italy with a pickup point each and a feed in the last three days, 100,000
parts, 2,500 stock rows per dealer, 1,000,000 transfers over 24 months with their timeline
(received, declined, expired, cancelled), the searches they came from and searches that found
nothing, online orders, ledger lines, phone orders and 24 monthly aged-stock snapshots.

Then, in the same run: the raw aggregate (``kpis.compute`` over the open month's transactions, what a
page would cost without the rollup), the rollup's refresh of the open month, and the two pages as
a browser gets them (HTTP through the app in process, signed in): the manager's network dashboard
and a dealer's scorecard, p50 and p99 each. The last line printed is one JSON object.

    python benchmarks/kpis.py --database-url postgresql://postgres@127.0.0.1:5432/postgres
    python benchmarks/kpis.py      # embedded PostgreSQL in /tmp/marketplace-bench
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks._database import fresh_database  # noqa: E402

PROVINCES = ("MI", "TO", "RM", "NA", "BO", "FI", "BA", "PA", "VE", "GE", "BS", "VR", "PD", "CA", "PG", "AN")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a PostgreSQL server (a fresh database is created on it)")
    parser.add_argument("--data-dir", default="/tmp/marketplace-bench", help="embedded server folder")
    parser.add_argument("--dealers", type=int, default=2000)
    parser.add_argument("--stock-per-dealer", type=int, default=2500)
    parser.add_argument("--parts", type=int, default=100_000)
    parser.add_argument("--transfers", type=int, default=1_000_000)
    parser.add_argument("--views", type=int, default=200, help="page views measured per page")
    parser.add_argument("--reuse", action="store_true",
                        help="measure again on the database a previous run built (no load, its rollups kept)")
    return parser.parse_args()


def build_statements(a) -> list[tuple[str, str]]:
    """(what, SQL) in order; every row computed by the server."""
    provinces = "ARRAY[" + ",".join(f"'{p}'" for p in PROVINCES) + "]"
    return [
        ("dealers", f"""
            INSERT INTO dealer (code, name, address, postal_code, city, province, lat, lon, tier, active,
                                is_central_warehouse, created_at, last_feed_at, legal_name, vat_number, iban,
                                sdd_mandate_ref, billing_email)
            SELECT 'D' || lpad(n::text, 4, '0'), 'Concessionario ' || n, '', '20121', 'Città ' || n,
                   ({provinces})[1 + n % {len(PROVINCES)}], 37.6 + (n * 7919 % 1000) / 1000.0 * 8.4,
                   7.5 + (n * 104729 % 1000) / 1000.0 * 10.5, 'urban', true, false, now() - interval '3 years',
                   now() - (n % 72) * interval '1 hour', '', '', '', '', ''
            FROM generate_series(1, {a.dealers}) n"""),
        ("pickup points", """
            INSERT INTO pickup_point (dealer, name, model, address, postal_code, city, lat, lon, opening_hours,
                                      lead_time_minutes, daily_capacity, active, created_at)
            SELECT id, 'Ritiro ' || code, 'basic', '', '20121', '', lat, lon, '{}', 60, 30, true, now() FROM dealer"""),
        ("parts", f"""
            INSERT INTO part (part_number, normalized, description, brand, category, list_price, channel, updated_at)
            SELECT 'P' || n, 'P' || n, '', '', '', 10 + n % 490, 'online', now() FROM generate_series(1, {a.parts}) n"""),
        ("stock", f"""
            INSERT INTO stock_item (dealer, part, on_hand, reserved, unit_cost, transfer_price, last_movement_date,
                                    shared, updated_at)
            SELECT d, ((g - 1) * 40 + d % 40) % {a.parts} + 1, 1 + (d * g) % 7, 0, 5 + (d + g) % 300,
                   6 + (d + g) % 300, current_date - ((d * 31 + g * 17) % 1100), true, now()
            FROM generate_series(1, {a.dealers}) d, generate_series(1, {a.stock_per_dealer}) g"""),
        ("search lines of the transfers", f"""
            INSERT INTO search_line (id, dealer, number, part, parts, quantity, own_available, found, at)
            SELECT n, 1 + n % {a.dealers}, 'P' || (1 + n * 7 % {a.parts}), 1 + n * 7 % {a.parts},
                   ARRAY[1 + n * 7 % {a.parts}], 1, 0, true,
                   now() - (n::float / {a.transfers}) * interval '730 days' - interval '6 minutes'
            FROM generate_series(1, {a.transfers}) n WHERE n % 10 <> 0"""),
        ("searches that found nothing", f"""
            INSERT INTO search_line (id, dealer, number, part, parts, quantity, own_available, found, at)
            SELECT {a.transfers} + n, 1 + n % {a.dealers}, 'X' || n, NULL, '{{}}', 1, 0, false,
                   now() - (n::float / {a.transfers // 5}) * interval '730 days'
            FROM generate_series(1, {a.transfers // 5}) n"""),
        ("transfers", f"""
            INSERT INTO transfer (id, requester, supplier, part, requested_part, quantity, requested_quantity, unit_price,
                                  status, note, carrier, tracking, request_fingerprint, created_at, expires_at,
                                  updated_at, search_line, source_moved_on)
            SELECT n, 1 + n % {a.dealers}, 1 + (n + 1 + n % ({a.dealers} - 1)) % {a.dealers}, 1 + n * 7 % {a.parts},
                   1 + n * 7 % {a.parts}, 1, 1, 20,
                   CASE WHEN n % 100 < 85 THEN 'received' WHEN n % 100 < 93 THEN 'declined'
                        WHEN n % 100 < 98 THEN 'expired' ELSE 'cancelled' END,
                   '', '', '', '', t, t + interval '4 hours', t, CASE WHEN n % 10 <> 0 THEN n END,
                   current_date - (n % 900)
            FROM generate_series(1, {a.transfers}) n,
                 LATERAL (SELECT now() - (n::float / {a.transfers}) * interval '730 days' AS t) at"""),
        ("timeline: requested", """
            INSERT INTO transfer_event (transfer, at, actor, from_status, to_status, detail)
            SELECT id, created_at, 'bench', NULL, 'requested', '{}' FROM transfer"""),
        ("timeline: answered", """
            INSERT INTO transfer_event (transfer, at, actor, from_status, to_status, detail)
            SELECT id, created_at + (1 + id % 7) * interval '20 minutes', 'bench', 'requested',
                   CASE status WHEN 'received' THEN 'accepted' WHEN 'declined' THEN 'declined'
                               WHEN 'expired' THEN 'expired' ELSE 'cancelled' END, '{}'
            FROM transfer"""),
        ("timeline: shipped", """
            INSERT INTO transfer_event (transfer, at, actor, from_status, to_status, detail)
            SELECT id, created_at + (2 + id % 30) * interval '1 hour', 'bench', 'accepted', 'shipped', '{}'
            FROM transfer WHERE status = 'received'"""),
        ("timeline: received", """
            INSERT INTO transfer_event (transfer, at, actor, from_status, to_status, detail)
            SELECT id, created_at + (20 + id % 60) * interval '1 hour', 'bench', 'shipped', 'received', '{}'
            FROM transfer WHERE status = 'received'"""),
        ("online orders", f"""
            INSERT INTO customer_order (id, pickup_point, territory_owner, customer_name, customer_email,
                                        customer_postal_code, status, pickup_code, token, total, created_at,
                                        confirmed_at, updated_at)
            SELECT n, 1 + n % {a.dealers}, 1 + n * 3 % {a.dealers}, 'Cliente', 'c' || n || '@example.com', '20121',
                   'collected', 'C' || n % 1000000, 'tok' || n, 100, t, t, t
            FROM generate_series(1, {a.transfers // 10}) n,
                 LATERAL (SELECT now() - (n::float / {a.transfers // 10}) * interval '730 days' AS t) at"""),
        ("order lines", f"""
            INSERT INTO order_line ("order", part, quantity, unit_price, source_dealer)
            SELECT id, 1 + id * 11 % {a.parts}, 1, 100, 1 + id * 5 % {a.dealers} FROM customer_order"""),
        ("ledger entries", """
            INSERT INTO ledger_entry (id, kind, source, description, booked_at, period, adjustment)
            SELECT id, 'order', 'order:' || id, '', created_at,
                   to_char(created_at AT TIME ZONE 'Europe/Rome', 'YYYY-MM'), false FROM customer_order"""),
        ("ledger lines", """
            INSERT INTO ledger_line (entry, account, dealer, kind, amount)
            SELECT o.id, 'dealer:' || p.dealer, p.dealer, 'customer_payment', -100 FROM customer_order o
              JOIN pickup_point p ON p.id = o.pickup_point
            UNION ALL SELECT o.id, 'dealer:' || o.territory_owner, o.territory_owner, 'referral', 5 FROM customer_order o
            UNION ALL SELECT o.id, 'dealer:' || p.dealer, p.dealer, 'pickup_fee', 0.80 FROM customer_order o
              JOIN pickup_point p ON p.id = o.pickup_point
            UNION ALL SELECT o.id, 'network', NULL, 'platform_fee', 3 FROM customer_order o
            UNION ALL SELECT o.id, 'dealer:' || l.source_dealer, l.source_dealer, 'sale', 91.20 FROM customer_order o
              JOIN order_line l ON l."order" = o.id"""),
        ("phone orders", f"""
            INSERT INTO phone_order (dealer, number, at)
            SELECT 1 + n % {a.dealers}, '', now() - (n::float / {a.transfers // 10}) * interval '730 days'
            FROM generate_series(1, {a.transfers // 10}) n"""),
        ("aged-stock snapshots", f"""
            INSERT INTO aged_stock_snapshot (dealer, period, units_9, value_9, units_12, value_12, taken_at)
            SELECT d, to_char((now() AT TIME ZONE 'Europe/Rome') - m * interval '1 month', 'YYYY-MM'), 0,
                   (20000 + d % 5000) * (1 - (24 - m) * 0.0125), 0, (15000 + d % 4000) * (1 - (24 - m) * 0.0125), now()
            FROM generate_series(1, {a.dealers}) d, generate_series(1, 24) m"""),
    ]


async def load(args) -> None:
    from marketplace.db import raw_connection
    from marketplace.migrate import migrate

    await migrate()
    async with raw_connection() as connection:
        await connection.execute("SET session_replication_role = replica")  # fixture data: no triggers
        for what, sql in build_statements(args):
            started = time.perf_counter()
            status = await connection.execute(sql)
            print(f"  {what}: {status.split()[-1]} rows in {time.perf_counter() - started:.1f} s", flush=True)
        await connection.execute("SET session_replication_role = origin")
        for table in ("transfer", "search_line", "customer_order", "ledger_entry"):
            await connection.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        await connection.execute("ANALYZE")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


async def timed_views(client, path: str, views: int, marker: str) -> list[float]:
    times = []
    for _ in range(5):  # warm: the process's caches, the plans
        response = await client.get(path)
        assert response.status_code == 200 and marker in response.text, (path, response.status_code, response.text[:500])
    for _ in range(views):
        started = time.perf_counter()
        response = await client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return times


async def sign_in(client, email: str) -> None:
    page = await client.get("/login")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
    response = await client.post("/login", data={"email": email, "password": "bench-password-1234", "_csrf_token": token})
    assert response.status_code == 303, response.text[:300]


async def main(args) -> dict:
    from datetime import datetime, timezone

    import httpx

    from marketplace.accounts.tables import Role
    from marketplace.accounts.users import UserInput, create_user
    from marketplace.app import create_app
    from marketplace.db import POOL_OPTIONS
    from marketplace.piccolo_conf import DB
    from marketplace.pulse.dashboard import months_back
    from marketplace.pulse.kpis import compute
    from marketplace.pulse.rollup import refresh
    from marketplace.settlement.periods import period_of

    started = time.perf_counter()
    if not args.reuse:
        await load(args)
    loaded = time.perf_counter() - started
    print(f"network: {args.dealers:,} dealers, {args.dealers * args.stock_per_dealer:,} stock rows, "
          f"{args.transfers:,} transfers over 24 months; loaded in {loaded:.0f} s", flush=True)
    await DB.start_connection_pool(min_size=1, max_size=4, **POOL_OPTIONS)
    now = datetime.now(timezone.utc)
    period = period_of(now)
    dealer = [1 + args.dealers // 2]

    # The raw aggregate: the open month's figures computed from the transactions, per view.
    raw_network = []
    for _ in range(3):
        t = time.perf_counter()
        await compute(period, None, now)
        raw_network.append((time.perf_counter() - t) * 1000)
    raw_dealer = []
    for _ in range(20):
        t = time.perf_counter()
        await compute(period, dealer, now)
        raw_dealer.append((time.perf_counter() - t) * 1000)
    # The rollup: the open month refreshed (the sweeper's incremental step), and the 12 months before
    # it rolled up once (as the sweeper leaves them at each month's end).
    t = time.perf_counter()
    await refresh(period, now)
    refresh_ms = (time.perf_counter() - t) * 1000
    if not args.reuse:
        for past in months_back(period, 13)[:-1]:
            await refresh(past, now)
    print(f"raw aggregate of the open month: network {statistics.median(raw_network):.0f} ms, "
          f"one dealer p99 {percentile(raw_dealer, 0.99):.0f} ms; rollup refresh {refresh_ms:.0f} ms", flush=True)

    code = f"D{dealer[0]:04d}"
    if not args.reuse:
        await create_user(UserInput(email="boss@bench.example", role=Role.network_manager.value), "bench-password-1234")
        await create_user(UserInput(email="admin@bench.example", role=Role.dealer_admin.value, dealer_code=code),
                          "bench-password-1234")
    os.environ.setdefault("MARKETPLACE_SWEEP_SECONDS", "0")
    app = create_app(own_pool=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as manager, \
            httpx.AsyncClient(transport=transport, base_url="http://bench") as dealer_client:
        await sign_in(manager, "boss@bench.example")
        await sign_in(dealer_client, "admin@bench.example")
        dashboard = await timed_views(manager, "/?sort=fill_rate&order=desc", args.views, "pulse-chart")
        scorecard = await timed_views(dealer_client, f"/pulse/dealers/{code}", args.views, "pulse-chart")
    await DB.close_connection_pool()
    raw_ms = statistics.median(raw_network)
    figures = {
        "dealers": args.dealers, "stock_rows": args.dealers * args.stock_per_dealer, "transfers": args.transfers,
        "load_s": round(loaded), "raw_network_aggregate_ms": round(raw_ms), "raw_dealer_aggregate_p99_ms":
        round(percentile(raw_dealer, 0.99), 1), "rollup_refresh_open_month_ms": round(refresh_ms),
        "dashboard_p50_ms": round(statistics.median(dashboard), 1), "dashboard_p99_ms": round(percentile(dashboard, 0.99), 1),
        "scorecard_p50_ms": round(statistics.median(scorecard), 1), "scorecard_p99_ms": round(percentile(scorecard, 0.99), 1),
        "raw_vs_dashboard_p99": round(raw_ms / percentile(dashboard, 0.99), 1),
        "raw_dealer_vs_scorecard_p99": round(percentile(raw_dealer, 0.99) / percentile(scorecard, 0.99), 2),
        "views": args.views, "reused_database": args.reuse,
    }
    print(f"network dashboard page: p50 {figures['dashboard_p50_ms']} ms, p99 {figures['dashboard_p99_ms']} ms "
          f"(the raw aggregate alone takes {figures['raw_vs_dashboard_p99']}x that)")
    print(f"dealer scorecard page: p50 {figures['scorecard_p50_ms']} ms, p99 {figures['scorecard_p99_ms']} ms "
          f"(the raw one-dealer aggregate: {figures['raw_dealer_aggregate_p99_ms']} ms p99)")
    return figures


if __name__ == "__main__":
    args = parse_args()
    if args.reuse and args.database_url:
        from urllib.parse import urlsplit, urlunsplit

        os.environ["MARKETPLACE_DATABASE_URL"] = urlunsplit(urlsplit(args.database_url)._replace(path="/marketplace_bench_kpis"))
    else:
        fresh_database("marketplace_bench_kpis", args.database_url, args.data_dir)
    os.environ.setdefault("MARKETPLACE_SECRET_KEY", "bench-secret-key-bench-secret-key-00")
    os.environ.setdefault("MARKETPLACE_GEOCODER", "offline")
    import marketplace.piccolo_conf  # noqa: F401  (engine built before the loop starts)

    print(json.dumps(asyncio.run(main(args))))
