"""Read replicas: one asyncpg pool per replica, and which of them may serve reads now.

App wiring, beside db.py. ``MARKETPLACE_READ_DATABASE_URL`` lists the replicas (comma-separated).
``db.read_connection`` (the read paths: network search, quotes, the shop's search, dashboards)
takes a connection from a healthy replica's pool, in turn; everything else (every write, every
reservation, every cache's reload, everything read inside a transaction) stays on the primary.

Health is read in the background every ``MARKETPLACE_REPLICA_CHECK_SECONDS`` (not per query):
a replica answering and no further behind than ``MARKETPLACE_REPLICA_MAX_LAG_SECONDS`` (default 5)
is healthy; one lagging or unreachable is skipped until a later check finds it caught up. With
none healthy, reads go to the primary.

Why not Piccolo's ``extra_nodes``: a query names its node there (``.run(node="read_1")``), with no
notion of health or lag, and the read paths are raw asyncpg statements anyway (``db.raw_connection``).

The lag is the usual one: 0 when everything received has been replayed (an idle primary sends
nothing, so an old last-replay time is not lag), else the age of the last transaction replayed.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from urllib.parse import urlsplit

import asyncpg

from marketplace.metrics import DB_READS, REPLICA_HEALTHY, REPLICA_LAG, REPLICA_SKIPS
from marketplace.settings import get_settings

log = logging.getLogger("marketplace.replicas")

CHECK_TIMEOUT_SECONDS = 2.0
APPLICATION_NAME = "marketplace-read"  # what pg_stat_activity shows for the read pools
CHECK_APPLICATION_NAME = "marketplace-replica-check"  # the checks' own connection (a busy pool never delays them)

_LAG = """
SELECT pg_is_in_recovery() AS in_recovery,
       CASE WHEN NOT pg_is_in_recovery() THEN 0.0
            WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0.0
            ELSE coalesce(extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp()), 1e9)::float8
       END AS lag
"""


def node_name(url: str) -> str:
    """host:port/database, never the user or password: the metrics' label."""
    parts = urlsplit(url)
    return f"{parts.hostname or 'localhost'}:{parts.port or 5432}{parts.path or '/'}"


class Replica:
    def __init__(self, url: str) -> None:
        self.url = url
        self.name = node_name(url)
        self.pool: asyncpg.Pool | None = None
        self.checker: asyncpg.Connection | None = None
        self.healthy = False
        self.lag: float | None = None
        self.unreachable = False  # the last check failed (logged once, not at every check)


class Replicas:
    """The replicas of one app process."""

    def __init__(self, urls: list[str] | tuple[str, ...], *, max_lag: float, check_seconds: float) -> None:
        self.replicas = [Replica(url) for url in urls]
        self.max_lag = max_lag
        self.check_seconds = check_seconds
        self._turn = itertools.count()
        self.checks = 0

    async def check_once(self) -> None:
        await asyncio.gather(*(self._check(replica) for replica in self.replicas))
        self.checks += 1

    async def _check(self, replica: Replica) -> None:
        settings = get_settings()
        try:
            from marketplace.db import POOL_OPTIONS, connection_options

            if replica.checker is None or replica.checker.is_closed():
                replica.checker = await asyncio.wait_for(asyncpg.connect(
                    replica.url, **connection_options(application_name=CHECK_APPLICATION_NAME)), CHECK_TIMEOUT_SECONDS)
            row = await asyncio.wait_for(replica.checker.fetchrow(_LAG), CHECK_TIMEOUT_SECONDS)
            if replica.pool is None:
                replica.pool = await asyncio.wait_for(asyncpg.create_pool(
                    replica.url, min_size=1, max_size=settings.pool_max_size,
                    **connection_options(application_name=APPLICATION_NAME), **POOL_OPTIONS), CHECK_TIMEOUT_SECONDS)
        except Exception as error:  # down, refusing, or hung: skipped until it answers again
            if replica.checker is not None:
                replica.checker.terminate()
                replica.checker = None
            if not replica.unreachable:
                log.warning("replica %s unreachable (%s): reads skip it", replica.name, error)
            replica.healthy, replica.lag, replica.unreachable = False, None, True
            REPLICA_HEALTHY.labels(replica.name).set(0)
            REPLICA_SKIPS.labels(replica.name, "unreachable").inc()
            return
        lag = float(row["lag"])
        healthy = lag <= self.max_lag
        replica.unreachable = False
        if healthy != replica.healthy:
            log.warning("replica %s %s (lag %.1f s)", replica.name, "serves reads" if healthy else "skipped", lag)
        replica.healthy, replica.lag = healthy, lag
        REPLICA_LAG.labels(replica.name).set(lag)
        REPLICA_HEALTHY.labels(replica.name).set(1 if healthy else 0)
        if not healthy:
            REPLICA_SKIPS.labels(replica.name, "lag").inc()

    def pick(self) -> Replica | None:
        """A healthy replica, each in turn; None when none is."""
        healthy = [replica for replica in self.replicas if replica.healthy and replica.pool is not None]
        if not healthy:
            return None
        return healthy[next(self._turn) % len(healthy)]

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.check_seconds)
            try:
                await self.check_once()
            except Exception:  # pragma: no cover - _check catches per replica
                log.exception("replica check failed")

    async def close(self) -> None:
        for replica in self.replicas:
            replica.healthy = False
            if replica.checker is not None:
                replica.checker.terminate()
                replica.checker = None
            if replica.pool is not None:
                with suppress(Exception):
                    await asyncio.wait_for(replica.pool.close(), 5)
                replica.pool = None


_current: Replicas | None = None


def pool_for_read() -> asyncpg.Pool | None:
    """A healthy replica's pool for one read, or None (the primary serves it)."""
    replica = _current.pick() if _current is not None else None
    return replica.pool if replica is not None else None


def count_read(pool: asyncpg.Pool | None) -> None:
    if pool is None or _current is None:
        DB_READS.labels("primary").inc()
        return
    name = next((replica.name for replica in _current.replicas if replica.pool is pool), "replica")
    DB_READS.labels(name).inc()


@asynccontextmanager
async def reading_from_replicas(urls: list[str] | tuple[str, ...] | None = None) -> AsyncIterator[Replicas | None]:
    """Serve reads from the configured replicas for the life of the block (the app's lifespan)."""
    global _current
    settings = get_settings()
    urls = settings.read_database_urls if urls is None else urls
    if not urls:
        yield None
        return
    replicas = Replicas(urls, max_lag=settings.replica_max_lag_seconds, check_seconds=settings.replica_check_seconds)
    await replicas.check_once()  # before the first request: a healthy replica serves it already
    task = asyncio.create_task(replicas.run(), name="replica-checks")
    _current = replicas
    try:
        yield replicas
    finally:
        _current = None
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
        await replicas.close()
