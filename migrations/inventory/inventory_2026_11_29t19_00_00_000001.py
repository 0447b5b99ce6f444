from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T19:00:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "a feed's record: rows and units a full feed zeroed (or would have), every rejected line"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="inventory", description=DESCRIPTION)

    async def raw():
        engine = engine_finder()
        for statement in (
            "ALTER TABLE stock_feed ADD COLUMN IF NOT EXISTS zeroed_rows integer NOT NULL DEFAULT 0",
            "ALTER TABLE stock_feed ADD COLUMN IF NOT EXISTS zeroed_units bigint NOT NULL DEFAULT 0",
            "ALTER TABLE stock_feed ADD COLUMN IF NOT EXISTS rejected_csv bytea",
        ):
            await engine.run_ddl(statement)

    manager.add_raw(raw)

    return manager
