from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T21:55:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "phone orders and the monthly aged-stock snapshot"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="pulse", description=DESCRIPTION)

    async def raw():
        engine = engine_finder()
        for statement in (
            """CREATE TABLE phone_order (
                id serial PRIMARY KEY,
                dealer integer NOT NULL REFERENCES dealer (id) ON DELETE CASCADE,
                "user" integer NULL REFERENCES network_user (id) ON DELETE SET NULL,
                number varchar(64) NOT NULL DEFAULT '',
                at timestamptz NOT NULL DEFAULT now())""",
            "CREATE INDEX phone_order_dealer_at ON phone_order (dealer, at)",
            "CREATE INDEX phone_order_at ON phone_order (at)",
            """CREATE TABLE aged_stock_snapshot (
                id serial PRIMARY KEY,
                dealer integer NOT NULL REFERENCES dealer (id) ON DELETE CASCADE,
                period varchar(7) NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
                units_9 integer NOT NULL,
                value_9 numeric(14, 2) NOT NULL,
                units_12 integer NOT NULL,
                value_12 numeric(14, 2) NOT NULL,
                taken_at timestamptz NOT NULL DEFAULT now(),
                CONSTRAINT aged_stock_snapshot_one_per_dealer_and_month UNIQUE (dealer, period))""",
            "CREATE INDEX aged_stock_snapshot_period ON aged_stock_snapshot (period)",
        ):
            await engine.run_ddl(statement)

    manager.add_raw(raw)

    return manager
