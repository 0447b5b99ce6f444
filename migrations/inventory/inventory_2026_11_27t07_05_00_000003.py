from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T07:05:00:000003"
VERSION = "1.38.0"
DESCRIPTION = "constraints and indexes that Piccolo columns cannot express"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="inventory", description=DESCRIPTION)

    async def constraints():
        # What Piccolo's columns cannot say: checks and special indexes.
        engine = engine_finder()
        for statement in (
            'ALTER TABLE part ADD CONSTRAINT part_prices CHECK (list_price >= 0 AND (map_price IS NULL OR map_price >= 0))',
            "ALTER TABLE part ADD CONSTRAINT part_channel CHECK (channel IN ('physical_only', 'online'))",
            'ALTER TABLE part ADD CONSTRAINT part_not_own_successor CHECK (superseded_by <> id)',
            'CREATE INDEX part_normalized_prefix ON part (normalized text_pattern_ops)',
            'CREATE INDEX part_superseded_by ON part (superseded_by) WHERE superseded_by IS NOT NULL',
        ):
            await engine.run_ddl(statement)

    manager.add_raw(constraints)

    return manager
