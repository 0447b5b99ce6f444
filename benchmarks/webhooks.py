"""Webhook deliveries per second, from outbox messages to a local receiver.

Puts N ``transfer.requested`` outbox messages (with their transfers) in a fresh database and one
network endpoint listening, then times the sweeper's webhook step until every message has been
fanned out, signed (Standard Webhooks), posted and recorded. In the same run, the raw baseline:
the same bodies posted by the same HTTP client with the same concurrency to the same receiver,
with no database, no signature. The receiver runs in its own process. The last line printed is
one JSON object of the figures.

    python benchmarks/webhooks.py      # embedded PostgreSQL in /tmp/marketplace-bench
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks._database import fresh_database  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a PostgreSQL server (a fresh database is created on it)")
    parser.add_argument("--data-dir", default="/tmp/marketplace-bench", help="embedded server folder")
    parser.add_argument("--messages", type=int, default=2000)
    return parser.parse_args()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(204)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


class _Server(ThreadingHTTPServer):
    request_queue_size = 512  # the default 5 resets connections the sender opens at once


def _serve(port) -> None:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    port.value = server.server_address[1]
    server.serve_forever()


async def load(n: int) -> None:
    from marketplace.db import raw_connection
    from marketplace.migrate import migrate

    await migrate()
    async with raw_connection() as c:
        await c.execute("INSERT INTO dealer (code, name, address, postal_code, city, province, lat, lon, tier, active,"
                        " is_central_warehouse) VALUES ('MI', 'Milano', '', '20121', 'Milano', 'MI', 45.46, 9.19, 'urban',"
                        " true, false), ('MZ', 'Monza', '', '20900', 'Monza', 'MB', 45.58, 9.27, 'urban', true, false)")
        await c.execute("INSERT INTO part (part_number, normalized, list_price) VALUES ('03L 115 562', '03L115562', 12)")
        await c.execute(f"""
            INSERT INTO transfer (requester, supplier, part, requested_part, quantity, requested_quantity, unit_price,
                status, note, request_fingerprint, created_at, expires_at, updated_at, carrier, tracking)
            SELECT 1, 2, 1, 1, 1, 1, 9.90, 'requested', '', md5(g::text), now(), now() + interval '4 hours', now(), '', ''
            FROM generate_series(1, {n}) g""")


async def emit_messages(n: int) -> None:
    from marketplace.db import raw_connection

    async with raw_connection() as c:
        await c.execute(f"""
            INSERT INTO outbox_message (topic, payload, created_at)
            SELECT 'transfer.requested', jsonb_build_object('transfer_id', g, 'from', null, 'to', 'requested'), now()
            FROM generate_series(1, {n}) g""")


async def main(args, url: str) -> dict:
    import httpx

    from marketplace.accounts.principal import Principal
    from marketplace.accounts.tables import Role
    from marketplace.db import POOL_OPTIONS, raw_connection
    from marketplace.piccolo_conf import DB
    from marketplace.webhooks import delivery
    from marketplace.webhooks.endpoints import register

    await DB.start_connection_pool(min_size=2, max_size=8, **POOL_OPTIONS)
    try:
        await load(args.messages)
        manager = Principal(Role.network_manager, None, None, email="bench@network.example")
        await register(manager, url, ["transfer.requested"])
        await emit_messages(args.messages)

        started = time.perf_counter()
        fanned = 0
        while fanned < args.messages:
            fanned += (await delivery.fan_out(limit=args.messages))[0]
        fan_out_seconds = time.perf_counter() - started
        delivered = 0
        while delivered < args.messages:
            report = await delivery.deliver_due(limit=delivery.SEND_BATCH)
            if report.failed or report.given_up:
                raise SystemExit(f"deliveries failed: {report}")
            delivered += report.delivered
        total_seconds = time.perf_counter() - started
        send_seconds = total_seconds - fan_out_seconds

        async with raw_connection() as c:
            bodies = [r["body"] for r in await c.fetch("SELECT body FROM webhook_message ORDER BY id")]
            assert await c.fetchval("SELECT count(*) FROM webhook_delivery WHERE delivered_at IS NOT NULL") == args.messages
    finally:
        await DB.close_connection_pool()

    # The baseline: the same posts, the same client settings and concurrency, nothing else.
    semaphore = asyncio.Semaphore(delivery.CONCURRENCY)
    async with httpx.AsyncClient(timeout=delivery.TIMEOUT_SECONDS,
                                 limits=httpx.Limits(max_connections=delivery.CONCURRENCY)) as client:
        async def post(body: str) -> None:
            async with semaphore:
                response = await client.post(url, content=body.encode(), headers={"content-type": "application/json"})
                assert response.status_code == 204

        started = time.perf_counter()
        for batch in range(0, len(bodies), delivery.SEND_BATCH):
            await asyncio.gather(*(post(b) for b in bodies[batch:batch + delivery.SEND_BATCH]))
        raw_seconds = time.perf_counter() - started

    webhook_rate = args.messages / total_seconds
    raw_rate = len(bodies) / raw_seconds
    return {
        "messages": args.messages,
        "fan_out_per_s": round(args.messages / fan_out_seconds, 1),
        "send_per_s": round(args.messages / send_seconds, 1),
        "deliveries_per_s": round(webhook_rate, 1),
        "raw_posts_per_s": round(raw_rate, 1),
        "ratio_vs_raw": round(webhook_rate / raw_rate, 3),
        "concurrency": delivery.CONCURRENCY,
        "batch": delivery.SEND_BATCH,
    }


if __name__ == "__main__":
    args = parse_args()
    fresh_database("marketplace_bench_webhooks", args.database_url, args.data_dir)
    os.environ["MARKETPLACE_WEBHOOKS_ALLOW_INSECURE"] = "1"  # the receiver is http:// on 127.0.0.1
    port = multiprocessing.Value("i", 0)
    receiver = multiprocessing.Process(target=_serve, args=(port,), daemon=True)
    receiver.start()
    while not port.value:
        time.sleep(0.01)
    try:
        figures = asyncio.run(main(args, f"http://127.0.0.1:{port.value}/hooks"))
    finally:
        receiver.terminate()
        receiver.join()
    print(f"{figures['messages']} messages: fan-out {figures['fan_out_per_s']}/s, signed posts {figures['send_per_s']}/s,"
          f" end to end {figures['deliveries_per_s']}/s; raw posts {figures['raw_posts_per_s']}/s"
          f" (ratio {figures['ratio_vs_raw']})")
    print(json.dumps(figures))
