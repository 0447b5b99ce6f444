"""Where the database is: a configured server, or an embedded one in the data folder."""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psutil

from marketplace.settings import get_settings

EMBEDDED_DATABASE = "marketplace"

# The embedded server stops when the last process holding it exits; keep our hold for life.
_embedded_server = None


def database_url() -> str:
    """The PostgreSQL URL the app and every CLI command use."""
    settings = get_settings()
    if settings.database_url:
        return settings.database_url
    return _embedded_url(settings.data_dir / "pgdata")


def direct_database_url() -> str:
    """A URL for what needs a whole session on the primary, which PgBouncer's transaction mode
    does not give: LISTEN (cache notices), migrations, pg_dump / pg_restore."""
    return get_settings().direct_database_url or database_url()


def connection_options(*, application_name: str = "marketplace") -> dict:
    """asyncpg options for a pool or connection of the app. Behind PgBouncer in transaction mode
    (``MARKETPLACE_PGBOUNCER=1``) a statement prepared on one server connection is not there at
    the next transaction: no statement cache (asyncpg then re-sends each statement unnamed)."""
    options: dict = {"server_settings": {"application_name": application_name}}
    if get_settings().pgbouncer:
        options["statement_cache_size"] = 0
    return options


def _embedded_url(pgdata: Path) -> str:
    global _embedded_server
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        import pgserver

    if _embedded_server is None:
        pgdata.mkdir(parents=True, exist_ok=True)
        _forget_dead_holders(pgdata)
        _embedded_server = pgserver.get_server(pgdata, cleanup_mode="stop")
        exists = _embedded_server.psql(
            f"SELECT 1 FROM pg_database WHERE datname = '{EMBEDDED_DATABASE}';"
        )
        if "(1 row)" not in exists:
            _embedded_server.psql(f"CREATE DATABASE {EMBEDDED_DATABASE};")
    parts = urlsplit(_embedded_server.get_uri())
    return urlunsplit(parts._replace(path=f"/{EMBEDDED_DATABASE}"))


def _forget_dead_holders(pgdata: Path) -> None:
    """Drop ids of killed processes, or pgserver would never stop the server."""
    path = pgdata / ".handle_pids.json"
    if not path.exists():
        return
    try:
        pids = json.loads(path.read_text())
    except ValueError:
        pids = []
    alive = [pid for pid in pids if isinstance(pid, int) and psutil.pid_exists(pid) and pid != os.getpid()]
    if alive != pids:
        path.write_text(json.dumps(alive))


@asynccontextmanager
async def raw_connection() -> AsyncIterator:
    """A raw asyncpg connection for the hot and bulk paths: the current Piccolo transaction's
    if one is open, else one from Piccolo's pool (a fresh one where no pool runs, as in the CLI)."""
    from marketplace.piccolo_conf import DB

    transaction = DB.current_transaction.get()
    if transaction is not None:
        yield transaction.connection
    elif DB.pool is not None:
        async with DB.pool.acquire() as connection:
            yield connection
    else:
        connection = await DB.get_new_connection()
        try:
            yield connection
        finally:
            await connection.close()


READ_ACQUIRE_SECONDS = 2.0


@asynccontextmanager
async def read_connection() -> AsyncIterator:
    """A connection for a read path that may lag the primary by a few seconds (network search,
    quotes, the shop's search, dashboards): a healthy read replica's when replicas are configured
    (marketplace/replicas.py), else the primary's as ``raw_connection``. Inside an open Piccolo
    transaction it is always that transaction's, on the primary: what a write reads is current."""
    from marketplace import replicas
    from marketplace.piccolo_conf import DB

    pool = replicas.pool_for_read() if DB.current_transaction.get() is None else None
    connection = None
    if pool is not None:
        try:
            connection = await pool.acquire(timeout=READ_ACQUIRE_SECONDS)
        except Exception:  # the replica went away since its last check: the primary answers this one
            connection = None
    if connection is None:
        replicas.count_read(None)
        async with raw_connection() as primary:
            yield primary
        return
    replicas.count_read(pool)
    try:
        yield connection
    finally:
        await pool.release(connection)


async def _keep_session(connection) -> None:
    """Pool release without asyncpg's reset query (advisory unlocks, CLOSE ALL, UNLISTEN, RESET
    ALL): a round trip on every release, for session state this app never leaves behind (its
    settings are SET LOCAL, its locks transaction-scoped). asyncpg still rolls back an open
    transaction first."""


#: Options for every connection pool the app starts.
POOL_OPTIONS = {"reset": _keep_session}
