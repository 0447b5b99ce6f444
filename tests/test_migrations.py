"""Migrations on an empty database, and commands that refuse an unmigrated one."""

import os
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from marketplace.migrate import migrate, pending_migrations
from marketplace.piccolo_conf import DB
from marketplace.settings import PROJECT_ROOT


async def test_the_empty_test_database_was_fully_migrated():
    assert await pending_migrations() == []
    assert await migrate() == 0
    tables = {r["tablename"] for r in await DB.run_ddl("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert {"dealer", "network_user", "api_key", "part", "web_session", "geocode_cache"} <= tables


async def test_constraints_guard_the_data_even_outside_the_app():
    import pytest

    with pytest.raises(asyncpg.CheckViolationError):
        await DB.run_ddl("INSERT INTO network_user (email, password_hash, role) VALUES ('x@y.z', 'h', 'dealer_staff')")


def _run(*args, url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "MARKETPLACE_DATABASE_URL": url}
    return subprocess.run([sys.executable, "-m", "marketplace", *args], env=env, capture_output=True, text=True,
                          timeout=60)


async def test_serve_refuses_an_unmigrated_database_and_migrate_fixes_it():
    url = os.environ["MARKETPLACE_DATABASE_URL"]
    name = f"{urlsplit(url).path.strip('/')}_empty"
    empty_url = urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
    admin = await asyncpg.connect(url)
    await admin.execute(f"DROP DATABASE IF EXISTS {name}")
    await admin.execute(f"CREATE DATABASE {name}")
    try:
        refused = _run("serve", "--port", "8999", url=empty_url)
        assert refused.returncode == 1
        assert "run `marketplace migrate` first" in refused.stderr
        migrated = _run("migrate", url=empty_url)
        assert migrated.returncode == 0
        assert f"applied {len(list(PROJECT_ROOT.glob('migrations/*/*.py')))} migration(s)" in migrated.stdout
        again = _run("migrate", url=empty_url)
        assert "up to date" in again.stdout
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.close()
