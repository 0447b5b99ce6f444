from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T09:33:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "a point's live orders per promised day: what its daily capacity counts"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="pickup", description=DESCRIPTION)

    async def raw():
        engine = engine_finder()
        for statement in (
            # Quotes and new orders count them for the points near a customer on every call.
            "CREATE INDEX customer_order_promised ON customer_order (pickup_point, promised_for)"
            " WHERE status IN ('placed', 'ready_for_pickup') AND promised_for IS NOT NULL",
        ):
            await engine.run_ddl(statement)

    manager.add_raw(raw)

    return manager
