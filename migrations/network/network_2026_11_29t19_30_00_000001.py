from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T19:30:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "shop orders: minutes an unconfirmed order holds its stock; the share of a part one customer may hold"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="network", description=DESCRIPTION)

    async def raw():
        engine = engine_finder()
        for statement in (
            "ALTER TABLE network_settings ADD COLUMN IF NOT EXISTS order_confirm_minutes integer NOT NULL DEFAULT 30",
            "ALTER TABLE network_settings ADD COLUMN IF NOT EXISTS customer_share_pct numeric(5, 2) NOT NULL"
            " DEFAULT 50.00",
        ):
            await engine.run_ddl(statement)

    manager.add_raw(raw)

    return manager
