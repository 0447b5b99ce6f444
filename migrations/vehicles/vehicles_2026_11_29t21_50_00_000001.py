from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T21:50:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "vehicles: the vehicle master, the catalog by vehicle (groups, diagrams, callout rows), plate answers"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="vehicles", description=DESCRIPTION)

    async def raw():
        engine = engine_finder()
        for statement in (
            """
            CREATE TABLE IF NOT EXISTS vehicle_model (
                id serial PRIMARY KEY,
                name varchar(80) NOT NULL UNIQUE,
                manufacturer varchar(80) NOT NULL DEFAULT ''
            )
            """,
            """
            CREATE TABLE IF NOT EXISTS vehicle (
                id serial PRIMARY KEY,
                vin varchar(17) NOT NULL UNIQUE CHECK (vin ~ '^[A-HJ-NPR-Z0-9]{17}$'),
                model integer NOT NULL REFERENCES vehicle_model (id) ON DELETE RESTRICT,
                version varchar(120) NOT NULL DEFAULT '',
                engine_code varchar(16) NOT NULL DEFAULT '',
                model_year integer NULL,
                build_date date NULL,
                option_codes varchar(16)[] NOT NULL DEFAULT '{}',
                updated_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            "CREATE INDEX IF NOT EXISTS vehicle_model_idx ON vehicle (model)",
            """
            CREATE TABLE IF NOT EXISTS vehicle_group (
                id serial PRIMARY KEY,
                model integer NOT NULL REFERENCES vehicle_model (id) ON DELETE CASCADE,
                parent integer NULL REFERENCES vehicle_group (id) ON DELETE CASCADE,
                code varchar(32) NOT NULL,
                name varchar(120) NOT NULL
            )
            """,
            # One group per code in a model, one subgroup per code in a group.
            "CREATE UNIQUE INDEX IF NOT EXISTS vehicle_group_code ON vehicle_group (model, code) WHERE parent IS NULL",
            "CREATE UNIQUE INDEX IF NOT EXISTS vehicle_subgroup_code ON vehicle_group (parent, code) WHERE parent IS NOT NULL",
            """
            CREATE TABLE IF NOT EXISTS vehicle_diagram (
                id serial PRIMARY KEY,
                subgroup integer NOT NULL REFERENCES vehicle_group (id) ON DELETE CASCADE,
                code varchar(32) NOT NULL,
                name varchar(160) NOT NULL,
                svg text NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now(),
                UNIQUE (subgroup, code)
            )
            """,
            """
            CREATE TABLE IF NOT EXISTS vehicle_callout_part (
                id serial PRIMARY KEY,
                diagram integer NOT NULL REFERENCES vehicle_diagram (id) ON DELETE CASCADE,
                ref varchar(8) NOT NULL,
                position integer NOT NULL DEFAULT 0,
                part integer NOT NULL REFERENCES part (id) ON DELETE RESTRICT,
                quantity integer NOT NULL DEFAULT 1 CHECK (quantity > 0),
                note varchar(200) NOT NULL DEFAULT '',
                year_from integer NULL,
                year_to integer NULL,
                engine_codes varchar(16)[] NOT NULL DEFAULT '{}',
                option_codes varchar(16)[] NOT NULL DEFAULT '{}'
            )
            """,
            "CREATE INDEX IF NOT EXISTS vehicle_callout_part_diagram ON vehicle_callout_part (diagram, position)",
            "CREATE INDEX IF NOT EXISTS vehicle_callout_part_part ON vehicle_callout_part (part)",
            """
            CREATE TABLE IF NOT EXISTS vehicle_plate_lookup (
                id serial PRIMARY KEY,
                plate varchar(10) NOT NULL UNIQUE,
                vin varchar(17) NULL,
                provider varchar(32) NOT NULL,
                looked_up_at timestamptz NOT NULL DEFAULT now()
            )
            """,
        ):
            await engine.run_ddl(statement)

    manager.add_raw(raw)

    return manager
