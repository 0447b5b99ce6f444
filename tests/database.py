"""A throwaway PostgreSQL database for one test run.

``MARKETPLACE_TEST_DATABASE_URL`` names a server (any database on it): a fresh database is
created there and dropped at the end. Without it, an embedded server runs in a temp folder.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import tempfile
import warnings
from urllib.parse import urlsplit, urlunsplit

import asyncpg


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


async def _admin(url: str, statement: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def provision() -> tuple[str, str]:
    """Create the database; its URL and a one-word description of where it runs."""
    name = f"marketplace_test_{os.getpid()}"
    server_url = os.environ.get("MARKETPLACE_TEST_DATABASE_URL")
    if server_url:
        asyncio.run(_admin(server_url, f"DROP DATABASE IF EXISTS {name}"))
        asyncio.run(_admin(server_url, f"CREATE DATABASE {name}"))
        atexit.register(lambda: asyncio.run(_admin(server_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
        return _with_database(server_url, name), "server"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver
    folder = tempfile.mkdtemp(prefix="marketplace-test-pg-")
    server = pgserver.get_server(folder, cleanup_mode="stop")
    server.psql(f"CREATE DATABASE {name};")
    atexit.register(shutil.rmtree, folder, True)
    provision.server = server  # held for the whole run: the server stops when released
    return _with_database(server.get_uri(), name), "embedded"
