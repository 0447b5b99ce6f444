"""Read replicas: read paths take a healthy replica's connection; writes, transactions and an
unhealthy replica fall back to the primary. (tests/cluster runs a real streaming replica.)

Here the suite's own database stands in for a replica (it is not in recovery: lag 0), beside
an address nobody answers."""

from __future__ import annotations

import os

from marketplace import replicas
from marketplace.db import read_connection
from marketplace.metrics import DB_READS, REPLICA_HEALTHY, REPLICA_SKIPS
from marketplace.piccolo_conf import DB
from marketplace.replicas import APPLICATION_NAME, node_name, reading_from_replicas

URL = os.environ["MARKETPLACE_DATABASE_URL"]
NOBODY = "postgresql://postgres:secret@127.0.0.1:9/nowhere"  # the discard port: refused at once


def _count(metric, *labels) -> float:
    return metric.labels(*labels)._value.get()


async def _application_name() -> str:
    async with read_connection() as connection:
        return await connection.fetchval("SELECT current_setting('application_name')")


async def test_reads_go_to_a_healthy_replica_and_skip_an_unreachable_one():
    skips = _count(REPLICA_SKIPS, node_name(NOBODY), "unreachable")
    async with reading_from_replicas([URL, NOBODY]) as pool:
        good, bad = pool.replicas
        assert (good.healthy, good.lag) == (True, 0.0)
        assert (bad.healthy, bad.lag) == (False, None)
        assert _count(REPLICA_SKIPS, node_name(NOBODY), "unreachable") == skips + 1
        assert _count(REPLICA_HEALTHY, good.name) == 1 and _count(REPLICA_HEALTHY, bad.name) == 0
        assert bad.name == "127.0.0.1:9/nowhere"  # no password in a metric label
        reads = _count(DB_READS, good.name)
        for _ in range(4):
            assert await _application_name() == APPLICATION_NAME
        assert _count(DB_READS, good.name) == reads + 4


async def test_inside_a_transaction_reads_stay_on_the_primary():
    async with reading_from_replicas([URL]):
        async with DB.transaction() as transaction:
            async with read_connection() as connection:
                assert connection is transaction.connection
            assert await _application_name() == "marketplace"


async def test_with_no_replica_healthy_the_primary_answers():
    primary = _count(DB_READS, "primary")
    async with reading_from_replicas([NOBODY]):
        assert await _application_name() == "marketplace"
    assert _count(DB_READS, "primary") == primary + 1


async def test_a_replica_behind_the_limit_is_skipped_until_it_catches_up():
    async with reading_from_replicas([URL]) as pool:
        replica = pool.replicas[0]
        pool.max_lag = -1.0  # any lag is too much now
        await pool.check_once()
        assert not replica.healthy and replica.lag == 0.0
        assert await _application_name() == "marketplace"
        pool.max_lag = 5.0
        await pool.check_once()
        assert replica.healthy
        assert await _application_name() == APPLICATION_NAME
    assert replicas._current is None


def test_migrate_and_backup_go_straight_to_the_primary_past_pgbouncer(tmp_path):
    """With MARKETPLACE_DIRECT_DATABASE_URL set, the commands that need a session never use the
    (here unreachable) PgBouncer URL."""
    import subprocess
    import sys

    from tests.live_server import PROJECT_ROOT

    env = {**os.environ, "MARKETPLACE_DATABASE_URL": NOBODY, "MARKETPLACE_PGBOUNCER": "1",
           "MARKETPLACE_DIRECT_DATABASE_URL": URL}
    for command in (["migrate"], ["backup", str(tmp_path / "b.dump")]):
        done = subprocess.run([sys.executable, "-m", "marketplace", *command], cwd=PROJECT_ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    assert (tmp_path / "b.dump").stat().st_size > 0
