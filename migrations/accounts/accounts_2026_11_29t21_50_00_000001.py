from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T21:50:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "zone agents: the role, an agent's own API keys, a session acting for a dealer"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)

    async def raw():
        engine = engine_finder()
        for statement in (
            "ALTER TABLE network_user DROP CONSTRAINT network_user_role",
            "ALTER TABLE network_user ADD CONSTRAINT network_user_role"
            " CHECK (role IN ('dealer_staff', 'dealer_admin', 'network_manager', 'zone_agent'))",
            "ALTER TABLE network_user DROP CONSTRAINT network_user_dealer",
            "ALTER TABLE network_user ADD CONSTRAINT network_user_dealer"
            " CHECK ((role IN ('network_manager', 'zone_agent')) = (dealer IS NULL))",
            'ALTER TABLE api_key ADD COLUMN IF NOT EXISTS "user" integer NULL'
            " REFERENCES network_user (id) ON DELETE CASCADE",
            "ALTER TABLE api_key DROP CONSTRAINT api_key_dealer",
            "ALTER TABLE api_key ADD CONSTRAINT api_key_dealer"
            " CHECK ((role IN ('network_manager', 'zone_agent')) = (dealer IS NULL))",
            "ALTER TABLE api_key ADD CONSTRAINT api_key_agent CHECK ((role = 'zone_agent') = (\"user\" IS NOT NULL))",
            "ALTER TABLE web_session ADD COLUMN IF NOT EXISTS acting_for integer NULL"
            " REFERENCES dealer (id) ON DELETE SET NULL",
        ):
            await engine.run_ddl(statement)

    manager.add_raw(raw)

    return manager
