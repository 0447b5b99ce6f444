from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T07:11:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "constraints, indexes and rows that Piccolo columns cannot express"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="network", description=DESCRIPTION)

    async def constraints():
        engine = engine_finder()
        for statement in (
            'ALTER TABLE network_settings ADD CONSTRAINT network_settings_single_row CHECK (id = 1)',
            'ALTER TABLE network_settings ADD CONSTRAINT network_settings_ranges CHECK (stale_feed_hours > 0 AND transfer_discount_pct BETWEEN 0 AND 100 AND full_feed_reject_limit_pct BETWEEN 0 AND 100)',
            'INSERT INTO network_settings (id) VALUES (1)',
        ):
            await engine.run_ddl(statement)

    manager.add_raw(constraints)

    return manager
