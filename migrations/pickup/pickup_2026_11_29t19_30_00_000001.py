from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T19:30:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "orders confirmed by the customer's emailed link: the link's secret, the deadline, when confirmed"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="pickup", description=DESCRIPTION)

    async def raw():
        engine = engine_finder()
        for statement in (
            "ALTER TABLE customer_order ADD COLUMN IF NOT EXISTS confirm_token varchar(64) UNIQUE",
            "ALTER TABLE customer_order ADD COLUMN IF NOT EXISTS confirm_by timestamptz",
            "ALTER TABLE customer_order ADD COLUMN IF NOT EXISTS confirmed_at timestamptz",
            # Orders placed before confirmation existed went to their store at once.
            "UPDATE customer_order SET confirmed_at = created_at WHERE confirmed_at IS NULL",
            # The sweeper's look for unconfirmed orders past their deadline.
            "CREATE INDEX IF NOT EXISTS customer_order_unconfirmed ON customer_order (confirm_by)"
            " WHERE status = 'unconfirmed'",
            # An unconfirmed order keeps its slot of the store's day (briefly): capacity counts it.
            "DROP INDEX IF EXISTS customer_order_promised",
            "CREATE INDEX customer_order_promised ON customer_order (pickup_point, promised_for)"
            " WHERE status IN ('unconfirmed', 'placed', 'ready_for_pickup') AND promised_for IS NOT NULL",
        ):
            await engine.run_ddl(statement)

    manager.add_raw(raw)

    return manager
