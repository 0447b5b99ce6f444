from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T20:10:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "network pulse: the minutes a phone order takes per line (the baseline of time saved)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="network", description=DESCRIPTION)

    async def raw():
        await engine_finder().run_ddl(
            "ALTER TABLE network_settings ADD COLUMN IF NOT EXISTS phone_minutes_per_line integer NOT NULL DEFAULT 12")

    manager.add_raw(raw)

    return manager
