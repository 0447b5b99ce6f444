from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T07:34:00:000004"
VERSION = "1.38.0"
DESCRIPTION = "transfer SLA range"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="network", description=DESCRIPTION)

    async def raw():
        engine = engine_finder()
        for statement in (
            'ALTER TABLE network_settings ADD CONSTRAINT network_settings_sla CHECK (transfer_sla_hours BETWEEN 1 AND 240)',
        ):
            await engine.run_ddl(statement)

    manager.add_raw(raw)

    return manager
