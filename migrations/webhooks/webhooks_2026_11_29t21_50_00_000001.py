from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T21:50:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "webhook endpoints, the messages fanned out to them, deliveries and their tries"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="webhooks", description=DESCRIPTION)

    async def raw():
        engine = engine_finder()
        for statement in (
            """
            CREATE TABLE webhook_endpoint (
                id SERIAL PRIMARY KEY,
                dealer INTEGER NULL REFERENCES dealer (id) ON DELETE CASCADE,
                url TEXT NOT NULL,
                events JSONB NOT NULL DEFAULT '[]',
                description TEXT NOT NULL DEFAULT '',
                secret_salt VARCHAR(64) NOT NULL,
                previous_salt VARCHAR(64) NULL,
                previous_until TIMESTAMPTZ NULL,
                created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                created_by VARCHAR(300) NOT NULL DEFAULT '',
                disabled_at TIMESTAMPTZ NULL,
                disabled_reason TEXT NOT NULL DEFAULT '',
                CONSTRAINT webhook_endpoint_events CHECK (jsonb_typeof(events) = 'array')
            )
            """,
            "CREATE INDEX webhook_endpoint_dealer ON webhook_endpoint (dealer)",
            """
            CREATE TABLE webhook_message (
                id SERIAL PRIMARY KEY,
                message_id BIGINT NOT NULL UNIQUE,
                type VARCHAR(64) NOT NULL,
                body TEXT NULL,
                created_at TIMESTAMPTZ NOT NULL DEFAULT now()
            )
            """,
            """
            CREATE TABLE webhook_delivery (
                id SERIAL PRIMARY KEY,
                endpoint INTEGER NOT NULL REFERENCES webhook_endpoint (id) ON DELETE CASCADE,
                message_id BIGINT NOT NULL,
                type VARCHAR(64) NOT NULL,
                created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
                next_attempt_at TIMESTAMPTZ NULL,
                delivered_at TIMESTAMPTZ NULL,
                given_up_at TIMESTAMPTZ NULL,
                last_status INTEGER NULL,
                last_error TEXT NOT NULL DEFAULT '',
                CONSTRAINT webhook_delivery_once UNIQUE (endpoint, message_id)
            )
            """,
            "CREATE INDEX webhook_delivery_endpoint ON webhook_delivery (endpoint, id)",
            "CREATE INDEX webhook_delivery_message ON webhook_delivery (message_id)",
            "CREATE INDEX webhook_delivery_created ON webhook_delivery (created_at)",
            "CREATE INDEX webhook_delivery_due ON webhook_delivery (next_attempt_at)"
            " WHERE delivered_at IS NULL AND given_up_at IS NULL",
            """
            CREATE TABLE webhook_attempt (
                id SERIAL PRIMARY KEY,
                delivery INTEGER NOT NULL REFERENCES webhook_delivery (id) ON DELETE CASCADE,
                at TIMESTAMPTZ NOT NULL DEFAULT now(),
                status INTEGER NULL,
                error TEXT NOT NULL DEFAULT '',
                duration_ms INTEGER NOT NULL DEFAULT 0
            )
            """,
            "CREATE INDEX webhook_attempt_delivery ON webhook_attempt (delivery)",
        ):
            await engine.run_ddl(statement)

    manager.add_raw(raw)

    return manager
