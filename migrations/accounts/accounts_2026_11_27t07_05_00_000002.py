from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T07:05:00:000002"
VERSION = "1.38.0"
DESCRIPTION = "constraints and indexes that Piccolo columns cannot express"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)

    async def constraints():
        # What Piccolo's columns cannot say: checks and special indexes.
        engine = engine_finder()
        for statement in (
            "ALTER TABLE network_user ADD CONSTRAINT network_user_role CHECK (role IN ('dealer_staff', 'dealer_admin', 'network_manager'))",
            "ALTER TABLE network_user ADD CONSTRAINT network_user_dealer CHECK ((role = 'network_manager') = (dealer IS NULL))",
            "ALTER TABLE api_key ADD CONSTRAINT api_key_dealer CHECK ((role = 'network_manager') = (dealer IS NULL))",
            'CREATE INDEX login_attempt_recent ON login_attempt (email, at) WHERE NOT succeeded',
        ):
            await engine.run_ddl(statement)

    manager.add_raw(constraints)

    return manager
