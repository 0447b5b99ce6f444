"""``marketplace backup`` and ``marketplace restore``: a seeded network survives the round trip."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from marketplace.backup import client_tools
from marketplace.seed import seed_network

URL = os.environ["MARKETPLACE_DATABASE_URL"]

_COUNTS = {
    "stock rows": "SELECT count(*) FROM stock_item",
    "units on hand": "SELECT coalesce(sum(on_hand), 0) FROM stock_item",
    "ledger entries": "SELECT count(*) FROM ledger_entry",
    "ledger lines": "SELECT count(*) FROM ledger_line",
    "ledger sum of absolute amounts": "SELECT coalesce(sum(abs(amount)), 0) FROM ledger_line",
    "orders": "SELECT count(*) FROM customer_order",
    "order lines": "SELECT count(*) FROM order_line",
    "settlements": "SELECT count(*) FROM settlement",
    "migrations": "SELECT count(*) FROM migration",
}


async def _counts(url: str) -> dict:
    connection = await asyncpg.connect(url)
    try:
        return {what: await connection.fetchval(query) for what, query in _COUNTS.items()}
    finally:
        await connection.close()


def _marketplace(*args: str, url: str | None = URL) -> subprocess.CompletedProcess:
    """The command on ``url``, or (None) on the embedded server of its ``--data-dir``."""
    env = {key: value for key, value in os.environ.items() if key != "MARKETPLACE_DATABASE_URL"}
    if url is not None:
        env["MARKETPLACE_DATABASE_URL"] = url
    return subprocess.run([sys.executable, "-m", "marketplace", *args], env=env, capture_output=True, text=True,
                          timeout=300)


# Counts read in a process holding the embedded server of a data folder (it stops when that exits).
_EMBEDDED_COUNTS = """
import asyncio, json, sys
import asyncpg
from marketplace.db import database_url

async def counts():
    connection = await asyncpg.connect(database_url())
    return {what: str(await connection.fetchval(query)) for what, query in json.loads(sys.argv[1]).items()}

print(json.dumps(asyncio.run(counts())))
"""


async def _admin(statement: str) -> None:
    connection = await asyncpg.connect(URL)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def test_a_backup_restored_into_a_fresh_database_holds_the_same_stock_ledger_and_orders(tmp_path):
    await seed_network(dealers=8, parts=150, seed=5, rows_per_dealer=30)
    before = await _counts(URL)
    assert all(value > 0 for value in before.values()), before

    file = tmp_path / "marketplace.dump"
    dumped = _marketplace("backup", str(file))
    assert dumped.returncode == 0, dumped.stderr
    assert file.stat().st_size > 0 and "backed up to" in dumped.stdout
    assert not list(tmp_path.glob("*.partial"))

    fresh = f"{urlsplit(URL).path.strip('/')}_restored"
    fresh_url = urlunsplit(urlsplit(URL)._replace(path=f"/{fresh}"))
    await _admin(f"DROP DATABASE IF EXISTS {fresh}")
    await _admin(f"CREATE DATABASE {fresh}")
    try:
        restored = _marketplace("restore", str(file), url=fresh_url)
        assert restored.returncode == 0, restored.stderr
        assert await _counts(fresh_url) == before

        # A database that holds data is not overwritten by mistake...
        again = _marketplace("restore", str(file), url=fresh_url)
        assert again.returncode == 1 and "not empty" in again.stderr
        # ...only on purpose, and then it is the backup again, not twice the backup.
        replaced = _marketplace("restore", "--replace", str(file), url=fresh_url)
        assert replaced.returncode == 0, replaced.stderr
        assert await _counts(fresh_url) == before
    finally:
        await _admin(f"DROP DATABASE IF EXISTS {fresh} WITH (FORCE)")


async def test_a_backup_restored_into_a_fresh_embedded_data_folder(tmp_path):
    await seed_network(dealers=4, parts=60, seed=2, rows_per_dealer=20, history=False)
    before = await _counts(URL)
    file = tmp_path / "marketplace.dump"
    assert _marketplace("backup", str(file)).returncode == 0

    folder = tmp_path / "fresh-data"
    restored = _marketplace("restore", str(file), "--data-dir", str(folder), url=None)
    assert restored.returncode == 0, restored.stderr
    env = {key: value for key, value in os.environ.items() if key != "MARKETPLACE_DATABASE_URL"}
    counted = subprocess.run([sys.executable, "-c", _EMBEDDED_COUNTS, json.dumps(_COUNTS)], capture_output=True, text=True, timeout=120,
                             env={**env, "MARKETPLACE_DATA_DIR": str(folder)}, cwd=os.getcwd())
    assert counted.returncode == 0, counted.stderr
    assert json.loads(counted.stdout.strip().splitlines()[-1]) == {k: str(v) for k, v in before.items()}


async def test_a_missing_or_broken_backup_is_refused_and_writes_nothing(tmp_path):
    before = await _counts(URL)
    missing = _marketplace("restore", str(tmp_path / "nothing.dump"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    broken = tmp_path / "broken.dump"
    broken.write_bytes(b"not a dump")
    refused = _marketplace("restore", "--replace", str(broken))
    assert refused.returncode == 1 and "pg_restore failed" in refused.stderr
    assert await _counts(URL) == before  # the tables are all still there


def test_the_client_tools_are_at_least_the_servers_version():
    assert client_tools(15).major >= 15
    assert client_tools(16).major >= 16
    assert client_tools(15, newest=True).major >= client_tools(15).major
