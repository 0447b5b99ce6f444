from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T21:45:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "routing: a dealer's own closure calendar and phone; minutes a source dealer has to accept an online order"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="network", description=DESCRIPTION)

    async def raw():
        engine = engine_finder()
        for statement in (
            "CREATE TABLE IF NOT EXISTS dealer_closure ("
            " id serial PRIMARY KEY,"
            " dealer integer NOT NULL REFERENCES dealer (id) ON DELETE CASCADE,"
            " starts_on date NOT NULL, ends_on date NOT NULL,"
            " reason varchar(100) NOT NULL DEFAULT '',"
            " created_at timestamptz NOT NULL DEFAULT now(),"
            " CONSTRAINT dealer_closure_range CHECK (starts_on <= ends_on AND ends_on - starts_on < 62))",
            "CREATE INDEX IF NOT EXISTS dealer_closure_dealer ON dealer_closure (dealer, ends_on)",
            "ALTER TABLE dealer ADD COLUMN IF NOT EXISTS phone varchar(40) NOT NULL DEFAULT ''",
            "ALTER TABLE network_settings ADD COLUMN IF NOT EXISTS order_accept_minutes integer NOT NULL DEFAULT 90",
            "ALTER TABLE network_settings ADD COLUMN IF NOT EXISTS urgent_first_radius_km integer NOT NULL DEFAULT 50",
            "ALTER TABLE network_settings ADD COLUMN IF NOT EXISTS urgent_second_radius_km integer NOT NULL DEFAULT 200",
            "ALTER TABLE network_settings ADD COLUMN IF NOT EXISTS urgent_wave_minutes integer NOT NULL DEFAULT 60",
            "ALTER TABLE network_settings ADD COLUMN IF NOT EXISTS urgent_central_wave boolean NOT NULL DEFAULT true",
        ):
            await engine.run_ddl(statement)

    manager.add_raw(raw)

    return manager
