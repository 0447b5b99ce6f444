"""A fresh database for a benchmark run: on a given server, or an embedded one in a folder."""

from __future__ import annotations

import asyncio
import os
import warnings
from urllib.parse import urlsplit, urlunsplit

import asyncpg


async def _admin(url: str, *statements: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


def fresh_database(name: str, server_url: str | None, data_dir: str) -> str:
    """Drop and create ``name``; point the app at it (set before importing marketplace)."""
    if not server_url:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import pgserver
        os.makedirs(data_dir, exist_ok=True)
        server = pgserver.get_server(os.path.join(data_dir, "pgdata"), cleanup_mode="stop")
        fresh_database.server = server  # the server lives as long as this process holds it
        server_url = server.get_uri()
    asyncio.run(_admin(server_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"))
    url = urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))
    os.environ["MARKETPLACE_DATABASE_URL"] = url
    os.environ.setdefault("MARKETPLACE_DATA_DIR", data_dir)
    return url
