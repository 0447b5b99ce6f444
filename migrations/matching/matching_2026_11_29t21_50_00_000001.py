from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T21:50:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "transport documents (DDT): shipped_at, a number per supplier per year, its counter"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="matching", description=DESCRIPTION)

    async def raw():
        engine = engine_finder()
        for statement in (
            "ALTER TABLE transfer ADD COLUMN IF NOT EXISTS shipped_at timestamptz NULL",
            "ALTER TABLE transfer ADD COLUMN IF NOT EXISTS ddt_year integer NULL",
            "ALTER TABLE transfer ADD COLUMN IF NOT EXISTS ddt_number integer NULL",
            "CREATE UNIQUE INDEX IF NOT EXISTS transfer_ddt ON transfer (supplier, ddt_year, ddt_number)"
            " WHERE ddt_number IS NOT NULL",
            "CREATE TABLE IF NOT EXISTS ddt_counter ("
            " id serial PRIMARY KEY,"
            " supplier integer NOT NULL REFERENCES dealer (id) ON DELETE CASCADE,"
            " year integer NOT NULL, last_number integer NOT NULL DEFAULT 0,"
            " CONSTRAINT ddt_counter_one_per_supplier_year UNIQUE (supplier, year))",
        ):
            await engine.run_ddl(statement)

    manager.add_raw(raw)

    return manager
