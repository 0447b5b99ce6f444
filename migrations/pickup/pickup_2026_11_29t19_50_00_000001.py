from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T19:50:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "an order's Idempotency-Key is unique per customer (email), not network-wide"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="pickup", description=DESCRIPTION)

    async def raw():
        engine = engine_finder()
        for statement in (
            # The column's own unique constraint, whatever it was named.
            """
            DO $$
            DECLARE name text;
            BEGIN
                FOR name IN
                    SELECT c.conname FROM pg_constraint c
                    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
                    WHERE c.conrelid = 'customer_order'::regclass AND c.contype = 'u'
                      AND a.attname = 'idempotency_key' AND array_length(c.conkey, 1) = 1
                LOOP
                    EXECUTE format('ALTER TABLE customer_order DROP CONSTRAINT %I', name);
                END LOOP;
            END $$
            """,
            "CREATE UNIQUE INDEX IF NOT EXISTS customer_order_idempotency ON customer_order"
            " (customer_email, idempotency_key) WHERE idempotency_key IS NOT NULL",
        ):
            await engine.run_ddl(statement)

    manager.add_raw(raw)

    return manager
