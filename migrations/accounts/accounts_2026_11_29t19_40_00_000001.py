from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T19:40:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "sign-in throttled per (account, address): the pair's tries, newest first"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)

    async def raw():
        engine = engine_finder()
        for statement in (
            # Every sign-in reads the pair's failures since its last success (sign_in_throttle.py).
            "CREATE INDEX IF NOT EXISTS login_attempt_pair ON login_attempt (email, ip, at)",
        ):
            await engine.run_ddl(statement)

    manager.add_raw(raw)

    return manager
