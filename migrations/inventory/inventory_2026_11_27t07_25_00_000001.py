from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T07:25:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "stock rows leave room for in-place updates; reserved rows are found fast"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="inventory", description=DESCRIPTION)

    async def storage():
        engine = engine_finder()
        for statement in (
            # Feeds and reservations rewrite quantities all day: free space on each page lets
            # PostgreSQL update a row in place (HOT) without touching its indexes.
            "ALTER TABLE stock_item SET (fillfactor = 85)",
            "CREATE INDEX stock_item_reserved ON stock_item (dealer) WHERE reserved > 0",
        ):
            await engine.run_ddl(statement)

    manager.add_raw(storage)

    return manager
