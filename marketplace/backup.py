"""Backups of the configured or embedded database: ``pg_dump -Fc`` and ``pg_restore``.

A dump is one consistent snapshot (pg_dump reads in a single repeatable-read transaction), so it
may run while the app serves. The client tools must be at least the server's major version: the
embedded server (pgserver's PostgreSQL 16) ships its own in the pgserver package, a Debian server
has them in /usr/lib/postgresql/<major>/bin; ``MARKETPLACE_PG_BIN`` names another folder.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from marketplace.db import database_url, raw_connection


class BackupError(RuntimeError):
    pass


@dataclass(frozen=True)
class Tools:
    folder: Path
    major: int

    def path(self, name: str) -> str:
        return str(self.folder / name)


def _version_of(pg_dump: Path) -> int | None:
    try:
        out = subprocess.run([str(pg_dump), "--version"], capture_output=True, text=True, timeout=10).stdout
    except OSError:
        return None
    found = re.search(r"(\d+)(?:\.\d+)?", out)
    return int(found.group(1)) if found else None


def _candidate_folders() -> list[Path]:
    folders = []
    if configured := os.environ.get("MARKETPLACE_PG_BIN"):
        folders.append(Path(configured))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            import pgserver._commands as pgserver_commands

            folders.append(Path(pgserver_commands.POSTGRES_BIN_PATH))
        except ImportError:
            pass
    folders += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    if on_path := shutil.which("pg_dump"):
        folders.append(Path(on_path).resolve().parent)
    return folders


def client_tools(server_major: int, *, newest: bool = False) -> Tools:
    """pg_dump and pg_restore for a server: the same major version when there is one, else the
    closest newer (``newest``: the newest, which reads archives of every older pg_dump too)."""
    found = {}
    for folder in _candidate_folders():
        if (folder / "pg_dump").exists() and (folder / "pg_restore").exists():
            major = _version_of(folder / "pg_dump")
            if major is not None and major >= server_major:
                found.setdefault(major, folder)
    if not found:
        raise BackupError(f"no pg_dump and pg_restore of PostgreSQL {server_major} or newer: install the client"
                          " tools or name their folder in MARKETPLACE_PG_BIN")
    major = max(found) if newest else min(found)
    return Tools(found[major], major)


async def server_major() -> int:
    async with raw_connection() as connection:
        return connection.get_server_version().major


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """The URL without its password (kept out of the process list) and the environment carrying it."""
    parts = urlsplit(url)
    env = dict(os.environ)
    if parts.password is not None:
        env["PGPASSWORD"] = unquote(parts.password)  # a URL writes "@" or "/" in it percent-encoded
        netloc = parts.netloc.rpartition("@")
        user = parts.username or ""
        parts = parts._replace(netloc=f"{user}@{netloc[2]}" if user else netloc[2])
    return urlunsplit(parts), env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed ({result.returncode}): {result.stderr.strip()}")


async def backup(file: Path) -> Tools:
    """Dump the database to ``file`` (custom format, compressed); the tools used."""
    tools = client_tools(await server_major())
    url, env = _libpq(database_url())
    partial = file.with_name(file.name + ".partial")  # never a half-written file under the real name
    try:
        _run([tools.path("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}",
              f"--dbname={url}"], env)
        partial.replace(file)
    finally:
        partial.unlink(missing_ok=True)
    return tools


async def _has_tables() -> bool:
    async with raw_connection() as connection:
        return await connection.fetchval("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") > 0


async def restore(file: Path, *, replace: bool = False) -> Tools:
    """Restore ``file`` into the database, in one transaction: all of it or nothing. A database that
    holds tables is refused unless ``replace`` (its objects are dropped first)."""
    if not file.is_file():
        raise BackupError(f"no backup file {file}")
    if await _has_tables() and not replace:
        raise BackupError("the database is not empty: restore into an empty one, or pass --replace to drop what"
                          " it holds first")
    tools = client_tools(await server_major(), newest=True)
    url, env = _libpq(database_url())
    command = [tools.path("pg_restore"), "--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges",
               f"--dbname={url}"]
    if replace:
        command += ["--clean", "--if-exists"]
    _run([*command, str(file)], env)
    return tools
