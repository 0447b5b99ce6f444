from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T22:00:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "notification addresses, preferences, in-app notifications and what each user has read"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="notifications", description=DESCRIPTION)

    async def raw():
        engine = engine_finder()
        for statement in (
            """
            CREATE TABLE notification_address (
                id SERIAL PRIMARY KEY,
                dealer INTEGER NOT NULL UNIQUE REFERENCES dealer (id) ON DELETE CASCADE,
                email VARCHAR(254) NOT NULL CHECK (email LIKE '_%@_%'),
                updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
            )
            """,
            """
            CREATE TABLE notification_preference (
                id SERIAL PRIMARY KEY,
                "user" INTEGER NOT NULL UNIQUE REFERENCES network_user (id) ON DELETE CASCADE,
                kinds JSONB NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(kinds) = 'array'),
                digest BOOLEAN NOT NULL DEFAULT false
            )
            """,
            """
            CREATE TABLE notification (
                id SERIAL PRIMARY KEY,
                dealer INTEGER NOT NULL REFERENCES dealer (id) ON DELETE CASCADE,
                kind VARCHAR(40) NOT NULL,
                subject_id BIGINT NOT NULL,
                link TEXT NOT NULL,
                summary JSONB NOT NULL DEFAULT '{}',
                created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                CONSTRAINT notification_once UNIQUE (dealer, kind, subject_id)
            )
            """,
            "CREATE INDEX notification_dealer ON notification (dealer, id)",
            """
            CREATE TABLE notification_read (
                id SERIAL PRIMARY KEY,
                "user" INTEGER NOT NULL UNIQUE REFERENCES network_user (id) ON DELETE CASCADE,
                read_up_to INTEGER NOT NULL DEFAULT 0
            )
            """,
            # emit_once's guards (outbox.messages.emit_once): one "about to expire" per transfer, one
            # digest per user and day, even with several processes sweeping at once.
            "CREATE UNIQUE INDEX outbox_message_one_expiring ON outbox_message (topic, (payload->>'transfer_id'))"
            " WHERE topic = 'transfer.expiring'",
            "CREATE UNIQUE INDEX outbox_message_one_digest ON outbox_message (topic, (payload->>'digest_key'))"
            " WHERE topic = 'notification.digest'",
        ):
            await engine.run_ddl(statement)

    manager.add_raw(raw)

    return manager
