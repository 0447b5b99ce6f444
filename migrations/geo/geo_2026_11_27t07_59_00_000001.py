from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T07:59:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "territory checks and index"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="geo", description=DESCRIPTION)

    async def raw():
        # The overlap rule between exclusive territories needs geometry, so it lives in the app
        # (territories.py, under an advisory lock); the database keeps each row well formed.
        engine = engine_finder()
        for statement in (
            "ALTER TABLE territory ADD CONSTRAINT territory_kind CHECK (kind IN ('postal_codes', 'polygon'))",
            "ALTER TABLE territory ADD CONSTRAINT territory_shape CHECK ("
            "(kind = 'postal_codes' AND geometry IS NULL AND cardinality(postal_codes) > 0)"
            " OR (kind = 'polygon' AND geometry IS NOT NULL AND cardinality(postal_codes) = 0))",
            'ALTER TABLE territory ADD CONSTRAINT territory_dates CHECK (valid_to IS NULL OR valid_to >= valid_from)',
            "ALTER TABLE territory ADD CONSTRAINT territory_name CHECK (name <> '')",
            'CREATE INDEX territory_dealer ON territory (dealer)',
        ):
            await engine.run_ddl(statement)

    manager.add_raw(raw)

    return manager
