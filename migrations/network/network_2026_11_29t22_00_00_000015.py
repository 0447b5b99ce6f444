from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T22:00:00:000015"
VERSION = "1.38.0"
DESCRIPTION = "the network's logo (issue 15): one image shown in the pages' header"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="network", description=DESCRIPTION)

    async def raw():
        await engine_finder().run_ddl(
            "CREATE TABLE IF NOT EXISTS network_logo (id serial PRIMARY KEY, content_type varchar(32) NOT NULL,"
            " data bytea NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())")

    manager.add_raw(raw)

    return manager
