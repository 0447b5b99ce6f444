from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T21:55:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "routing: an order's timeline of offers and pass-overs; order lines found by their transfer"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="pickup", description=DESCRIPTION)

    async def raw():
        engine = engine_finder()
        for statement in (
            'CREATE TABLE IF NOT EXISTS order_event ('
            ' id serial PRIMARY KEY,'
            ' "order" integer NOT NULL REFERENCES customer_order (id) ON DELETE CASCADE,'
            ' at timestamptz NOT NULL DEFAULT now(),'
            ' kind varchar(20) NOT NULL,'
            ' dealer integer NULL REFERENCES dealer (id) ON DELETE RESTRICT,'
            ' transfer integer NULL REFERENCES transfer (id) ON DELETE RESTRICT,'
            " detail jsonb NOT NULL DEFAULT '{}',"
            " CONSTRAINT order_event_kind CHECK (kind IN ('offered', 'passed_over', 'promise_moved', 'unfilled')))",
            'CREATE INDEX IF NOT EXISTS order_event_order ON order_event ("order", id)',
            "CREATE INDEX IF NOT EXISTS order_line_transfer ON order_line (transfer) WHERE transfer IS NOT NULL",
        ):
            await engine.run_ddl(statement)

    manager.add_raw(raw)

    return manager
