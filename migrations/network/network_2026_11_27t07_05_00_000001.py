from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T07:05:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "constraints and indexes that Piccolo columns cannot express"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="network", description=DESCRIPTION)

    async def constraints():
        # What Piccolo's columns cannot say: checks and special indexes.
        engine = engine_finder()
        for statement in (
            'ALTER TABLE dealer ADD CONSTRAINT dealer_coordinates CHECK ((lat IS NULL) = (lon IS NULL) AND lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180)',
            "ALTER TABLE dealer ADD CONSTRAINT dealer_tier CHECK (tier IN ('provincial', 'urban', 'distributor', 'new'))",
        ):
            await engine.run_ddl(statement)

    manager.add_raw(constraints)

    return manager
