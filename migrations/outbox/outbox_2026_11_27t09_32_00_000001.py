from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T09:32:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "pending excludes given-up messages; one reminder per order"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="outbox", description=DESCRIPTION)

    async def raw():
        engine = engine_finder()
        for statement in (
            'DROP INDEX IF EXISTS outbox_message_pending',
            'CREATE INDEX outbox_message_pending ON outbox_message (created_at)'
            ' WHERE delivered_at IS NULL AND given_up_at IS NULL',
            # The sweeper emits a reminder per ready order; several processes sweep at once.
            "CREATE UNIQUE INDEX outbox_message_one_reminder ON outbox_message (topic, (payload->>'order_id'))"
            " WHERE topic = 'order.reminder'",
            'ALTER TABLE outbox_message ADD CONSTRAINT outbox_message_attempts CHECK (attempts >= 0)',
        ):
            await engine.run_ddl(statement)

    manager.add_raw(raw)

    return manager
