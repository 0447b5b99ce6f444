"""Applying Piccolo migrations, and telling whether any are pending."""

from __future__ import annotations

import contextlib
import functools
import io
import sys

from piccolo.apps.migrations.commands.base import BaseMigrationManager
from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.apps.migrations.tables import Migration
from piccolo.conf.apps import Finder


class MigrationError(RuntimeError):
    pass


@functools.cache
def _shipped_migrations() -> tuple[tuple[str, str], ...]:
    """Every (app, migration id) this code ships, read once per process: Piccolo's reader puts
    each folder on ``sys.path`` at every call, which a readiness probe would grow for ever."""
    manager = BaseMigrationManager()
    saved = list(sys.path)
    try:
        return tuple((app.app_name, migration_id) for app in Finder().get_app_configs()
                     for migration_id in sorted(manager.get_migration_modules(app.migrations_folder_path)))
    finally:
        sys.path[:] = saved


async def pending_migrations() -> list[str]:
    """``app:migration`` ids not yet applied to the database."""
    if not await Migration.table_exists():
        ran: set[tuple[str, str]] = set()
    else:
        ran = {(r["app_name"], r["name"]) for r in await Migration.select(Migration.app_name, Migration.name)}
    return [f"{app}:{migration_id}" for app, migration_id in _shipped_migrations() if (app, migration_id) not in ran]


async def migrate(*, quiet: bool = True) -> int:
    """Apply every pending migration; the number applied."""
    pending = await pending_migrations()
    if not pending:
        return 0
    output = io.StringIO()
    with contextlib.redirect_stdout(output) if quiet else contextlib.nullcontext():
        result = await run_forwards("all")
    if not result.success:
        raise MigrationError(f"migrations failed: {result.message}\n{output.getvalue()}")
    return len(pending)


async def require_migrated() -> None:
    pending = await pending_migrations()
    if pending:
        raise MigrationError(
            f"the database has {len(pending)} pending migration(s) ({pending[0]}...): run `marketplace migrate` first"
        )
