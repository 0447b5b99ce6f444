from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T07:11:00:000002"
VERSION = "1.38.0"
DESCRIPTION = "constraints, indexes and rows that Piccolo columns cannot express"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="inventory", description=DESCRIPTION)

    async def constraints():
        engine = engine_finder()
        for statement in (
            'ALTER TABLE stock_item ADD CONSTRAINT stock_item_quantities CHECK (on_hand >= 0 AND reserved >= 0)',
            'ALTER TABLE stock_item ADD CONSTRAINT stock_item_prices CHECK (transfer_price >= 0 AND (unit_cost IS NULL OR unit_cost >= 0))',
            'CREATE INDEX stock_feed_dealer_received ON stock_feed (dealer, received_at DESC)',
        ):
            await engine.run_ddl(statement)

    manager.add_raw(constraints)

    return manager
