from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T07:34:00:000003"
VERSION = "1.38.0"
DESCRIPTION = "undelivered messages are found fast"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="outbox", description=DESCRIPTION)

    async def raw():
        engine = engine_finder()
        for statement in (
            'CREATE INDEX outbox_message_pending ON outbox_message (created_at) WHERE delivered_at IS NULL',
        ):
            await engine.run_ddl(statement)

    manager.add_raw(raw)

    return manager
