from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T07:34:00:000002"
VERSION = "1.38.0"
DESCRIPTION = "the network search's holder lookup: an index-only scan"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="inventory", description=DESCRIPTION)

    async def raw():
        engine = engine_finder()
        for statement in (
            'CREATE INDEX stock_item_holders ON stock_item (part) INCLUDE (dealer, on_hand, reserved, transfer_price, last_movement_date) WHERE shared AND on_hand > reserved',
        ):
            await engine.run_ddl(statement)

    manager.add_raw(raw)

    return manager
