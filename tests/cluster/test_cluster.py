"""Beyond one machine: two app processes on a primary behind PgBouncer (transaction mode) and a
streaming replica, all started here from Debian's PostgreSQL 15 programs (tests/cluster/local_cluster.py).

The search, transfer, order and settlement journeys run through both processes; the reads of the
read paths hit the replica (its pg_stat_activity shows the read pools, its transaction count
grows, the primary never sees them); a lagging replica is skipped and rejoins; concurrent
reservations through both processes never oversell. Skipped where the programs are missing,
except in CI (``CI`` set), where that is a failure.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime, timezone

import asyncpg
import httpx
import pytest

from tests.cluster.local_cluster import PG_BIN, missing, start_cluster
from tests.live_server import PROJECT_ROOT, running_server

STOCK = 6  # units the supplier holds of the contested part
ASKED = 3 * STOCK  # concurrent requests of one unit each, through both processes


def _cli(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "marketplace", *args], cwd=PROJECT_ROOT, env={**os.environ, **env},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"marketplace {' '.join(args)}: {result.stdout}\n{result.stderr}"
    return result.stdout


async def _fetch(url: str, query: str, *args):
    connection = await asyncpg.connect(url)
    try:
        return await connection.fetch(query, *args)
    finally:
        await connection.close()


@pytest.fixture(scope="module")
def cluster():
    why = missing()
    if why:
        if os.environ.get("CI"):
            pytest.fail(f"the cluster test must run in CI: {why}")
        pytest.skip(why)
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(cluster.folder, ignore_errors=True)


@pytest.fixture(scope="module")
def network(cluster, tmp_path_factory):
    """Migrated (straight to the primary) and seeded (through PgBouncer); the contested stock set;
    keys for a supplier, two requesters and the network; the replica caught up."""
    env = {**cluster.app_env(replicas=False), "MARKETPLACE_DATA_DIR": str(tmp_path_factory.mktemp("data"))}
    _cli(env, "migrate")
    _cli(env, "seed", "--dealers", "20", "--parts", "400", "--stock-rows", "60")
    dealers = asyncio.run(_fetch(cluster.primary_url, "SELECT id, code FROM dealer WHERE active AND NOT"
                                 " is_central_warehouse ORDER BY code LIMIT 3"))
    part = asyncio.run(_fetch(cluster.primary_url, "SELECT id, part_number FROM part WHERE channel = 'online'"
                              " AND superseded_by IS NULL ORDER BY id LIMIT 1"))[0]
    supplier, requesters = dealers[0], dealers[1:]
    asyncio.run(_fetch(cluster.primary_url, """
        WITH cleared AS (UPDATE stock_item SET on_hand = 0 WHERE part = $1)
        INSERT INTO stock_item (dealer, part, on_hand, reserved, transfer_price, shared, updated_at)
        VALUES ($2, $1, $3, 0, 12.50, true, now())
        ON CONFLICT (dealer, part) DO UPDATE SET on_hand = $3, reserved = 0, shared = true""",
        part["id"], supplier["id"], STOCK))
    asyncio.run(_fetch(cluster.primary_url, "UPDATE dealer SET last_feed_at = now()"))
    keys = {d["code"]: _cli(env, "apikey", "create", "--dealer", d["code"]).strip().splitlines()[-1] for d in dealers}
    keys["network"] = _cli(env, "apikey", "create", "--network").strip().splitlines()[-1]
    asyncio.run(cluster.wait_replayed())
    return {"env": env, "supplier": supplier["code"], "requesters": [r["code"] for r in requesters],
            "part": part["part_number"], "part_id": part["id"], "supplier_id": supplier["id"], "keys": keys}


@pytest.fixture(scope="module")
def apps(cluster, network):
    env = {**network["env"], **cluster.app_env(), "MARKETPLACE_REPLICA_MAX_LAG_SECONDS": "1",
           "MARKETPLACE_REPLICA_CHECK_SECONDS": "0.2", "MARKETPLACE_LOG_FORMAT": "json"}
    with running_server(env) as first, running_server(env) as second:
        yield first, second


def _bouncer(cluster, command: str) -> list[str]:
    """A PgBouncer admin console command's rows (it speaks the simple protocol only: psql)."""
    result = subprocess.run([str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(cluster.bouncer_port), "-U", "postgres",
                             "-At", "-c", command, "pgbouncer"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _metric(text: str, name: str, **labels) -> float:
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))  # the exposition sorts them
    pattern = re.compile(rf"^{name}(?:\{{{re.escape(wanted)}\}})? (\S+)$", re.MULTILINE) if wanted \
        else re.compile(rf"^{name} (\S+)$", re.MULTILINE)
    match = pattern.search(text)
    return float(match[1]) if match else 0.0


async def _replica_reads(base: str, key: str, node: str) -> float:
    async with httpx.AsyncClient(base_url=base) as client:
        text = (await client.get("/metrics", headers=_auth(key))).text
    return _metric(text, "marketplace_db_reads_total", node=node)


async def test_searches_through_both_processes_read_from_the_replica(cluster, network, apps):
    part, supplier = network["part"], network["supplier"]
    node = f"127.0.0.1:{cluster.replica_port}/marketplace"
    before = [await _replica_reads(base, network["keys"]["network"], node) for base in apps]
    for base, requester in zip(apps, network["requesters"]):
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            for _ in range(5):
                found = await client.get("/api/v1/network/search", params={"q": part},
                                         headers=_auth(network["keys"][requester]))
                assert found.status_code == 200, found.text
                holders = {h["dealer_code"]: h["available"] for h in found.json()["results"][0]["holders"]}
                assert holders.get(supplier) == STOCK
            shop = await client.get("/shop/", params={"q": part})
            assert shop.status_code == 200
    after = [await _replica_reads(base, network["keys"]["network"], node) for base in apps]
    assert all(a >= b + 5 for a, b in zip(after, before)), (before, after)  # both processes read from it
    # The replica's own view: the read pools' sessions (one per process at least), whose last
    # statements were the search's stock query; the primary never sees a read pool.
    sessions = await _fetch(cluster.replica_url, "SELECT query FROM pg_stat_activity WHERE application_name = $1",
                            "marketplace-read")
    assert len(sessions) >= 2 and any("stock_item" in s["query"] for s in sessions), sessions
    assert not await _fetch(cluster.primary_url, "SELECT 1 FROM pg_stat_activity WHERE application_name = $1",
                            "marketplace-read")


async def test_concurrent_transfer_requests_through_both_processes_never_oversell(cluster, network, apps):
    part, supplier = network["part"], network["supplier"]
    clients = [httpx.AsyncClient(base_url=base, timeout=60) for base in apps]
    try:
        async def ask(i: int) -> httpx.Response:
            requester = network["requesters"][i % 2]
            return await clients[i % 2].post("/api/v1/transfers/", headers=_auth(network["keys"][requester]),
                                             json={"supplier": supplier, "part_number": part, "quantity": 1})

        answers = await asyncio.gather(*(ask(i) for i in range(ASKED)))
        statuses = sorted(a.status_code for a in answers)
        assert statuses.count(201) == STOCK and statuses.count(409) == ASKED - STOCK, statuses
        row = (await _fetch(cluster.primary_url, "SELECT on_hand, reserved FROM stock_item WHERE dealer = $1"
                            " AND part = $2", network["supplier_id"], network["part_id"]))[0]
        assert (row["on_hand"], row["reserved"]) == (STOCK, STOCK)
        # The reservations went through PgBouncer: both processes' pools are its clients.
        clients_seen = _bouncer(cluster, "SHOW CLIENTS")
        assert sum("marketplace" in line for line in clients_seen) >= 2, clients_seen
        conflicts = 0.0
        for client in clients:  # each process counts the 409s it answered
            text = (await client.get("/metrics", headers=_auth(network["keys"]["network"]))).text
            conflicts += _metric(text, "marketplace_reservation_conflicts_total", route="/api/v1/transfers")
        assert conflicts == ASKED - STOCK

        # One transfer's journey, each step through the other process than the last.
        transfer = next(a.json() for a in answers if a.status_code == 201)
        supplier_key = _auth(network["keys"][supplier])
        for step, (client, key, body) in enumerate([
            (clients[0], supplier_key, None),
            (clients[1], supplier_key, {"carrier": "BRT", "tracking": "X1"}),
        ]):
            action = ("accept", "ship")[step]
            moved = await client.post(f"/api/v1/transfers/{transfer['id']}/{action}", headers=key, json=body)
            assert moved.status_code == 200, moved.text
        received = await clients[0].post(f"/api/v1/transfers/{transfer['id']}/receive",
                                         headers=_auth(network["keys"][transfer["requester"]]))
        assert received.status_code == 200 and received.json()["status"] == "received", received.text
    finally:
        for client in clients:
            await client.aclose()


async def test_an_order_and_the_settlement_through_both_processes(cluster, network, apps):
    first, second = apps
    async with httpx.AsyncClient(base_url=first, timeout=60) as one, httpx.AsyncClient(base_url=second, timeout=60) as two:
        dealer = (await _fetch(cluster.primary_url, "SELECT postal_code FROM dealer WHERE code = $1",
                               network["supplier"]))[0]
        # The supplier holds one unit not reserved by transfers: free it for the order.
        await _fetch(cluster.primary_url, "UPDATE stock_item SET on_hand = on_hand + 1 WHERE dealer = $1 AND part = $2",
                     network["supplier_id"], network["part_id"])
        await cluster.wait_replayed()
        quote = await one.get("/api/v1/pickup/quote", params={"items": f"{network['part']}:1",
                                                               "postal_code": dealer["postal_code"]})
        assert quote.status_code == 200, quote.text
        points = quote.json()["points"]
        assert points, quote.text
        placed = await two.post("/api/v1/orders/", json={
            "customer": {"name": "Maria Rossi", "email": "maria@example.com", "postal_code": dealer["postal_code"]},
            "items": [{"part_number": network["part"], "quantity": 1}], "pickup_point_id": points[0]["pickup_point_id"]})
        assert placed.status_code == 201, placed.text
        again = await one.post("/api/v1/orders/", json={
            "customer": {"name": "Luca Bianchi", "email": "luca@example.com", "postal_code": dealer["postal_code"]},
            "items": [{"part_number": network["part"], "quantity": 1}], "pickup_point_id": points[0]["pickup_point_id"]})
        assert again.status_code == 409, again.text  # the last unit is the first order's

        period = datetime.now(timezone.utc).strftime("%Y-%m")
        computed = await two.post("/api/v1/settlements/", json={"period": period}, headers=_auth(network["keys"]["network"]))
        assert computed.status_code == 200, computed.text
        read = await one.get(f"/api/v1/settlements/{period}", headers=_auth(network["keys"]["network"]))
        assert read.status_code == 200 and read.json()["status"] == "draft", read.text
        ledger = await _fetch(cluster.primary_url, "SELECT coalesce(sum(amount), 0) AS total FROM ledger_line")
        assert ledger[0]["total"] == 0


async def test_a_lagging_replica_is_skipped_then_rejoins(cluster, network, apps):
    node = f"127.0.0.1:{cluster.replica_port}/marketplace"
    key = network["keys"]["network"]
    await _fetch(cluster.replica_url, "SELECT pg_wal_replay_pause()")
    try:
        await _fetch(cluster.primary_url, "UPDATE network_settings SET id = id")  # WAL the replica holds back
        async with httpx.AsyncClient(base_url=apps[0], timeout=30) as client:
            for _ in range(100):  # lag over 1 s, seen by a check every 0.2 s
                text = (await client.get("/metrics", headers=_auth(key))).text
                if _metric(text, "marketplace_replica_healthy", replica=node) == 0:
                    break
                await asyncio.sleep(0.1)
            else:
                pytest.fail("the lagging replica was never skipped")
            primary, replica = (_metric(text, "marketplace_db_reads_total", node=n) for n in ("primary", node))
            searched = await client.get("/api/v1/network/search", params={"q": network["part"]},
                                        headers=_auth(network["keys"][network["requesters"][0]]))
            assert searched.status_code == 200
            text = (await client.get("/metrics", headers=_auth(key))).text
            assert _metric(text, "marketplace_db_reads_total", node="primary") >= primary + 1
            assert _metric(text, "marketplace_db_reads_total", node=node) == replica
            assert _metric(text, "marketplace_replica_skips_total", replica=node, reason="lag") >= 1
    finally:
        await _fetch(cluster.replica_url, "SELECT pg_wal_replay_resume()")
    async with httpx.AsyncClient(base_url=apps[0], timeout=30) as client:
        for _ in range(100):
            text = (await client.get("/metrics", headers=_auth(key))).text
            if _metric(text, "marketplace_replica_healthy", replica=node) == 1:
                break
            await asyncio.sleep(0.1)
        else:
            pytest.fail("the replica never rejoined")

