from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T21:51:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "search lines (what each network search asked and found), the request's search and its source row's age"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="matching", description=DESCRIPTION)

    async def raw():
        engine = engine_finder()
        for statement in (
            """CREATE TABLE search_line (
                id serial PRIMARY KEY,
                dealer integer NOT NULL REFERENCES dealer (id) ON DELETE CASCADE,
                "user" integer NULL REFERENCES network_user (id) ON DELETE SET NULL,
                number varchar(64) NOT NULL,
                part integer NULL REFERENCES part (id) ON DELETE CASCADE,
                parts integer[] NOT NULL DEFAULT '{}',
                quantity integer NOT NULL CHECK (quantity > 0),
                own_available integer NOT NULL,
                found boolean NOT NULL,
                at timestamptz NOT NULL DEFAULT now())""",
            "CREATE INDEX search_line_dealer_at ON search_line (dealer, at)",
            "CREATE INDEX search_line_at ON search_line (at)",
            "ALTER TABLE transfer ADD COLUMN search_line integer NULL REFERENCES search_line (id) ON DELETE SET NULL",
            "ALTER TABLE transfer ADD COLUMN source_moved_on date NULL",
            "CREATE INDEX transfer_search_line ON transfer (search_line) WHERE search_line IS NOT NULL",
        ):
            await engine.run_ddl(statement)

    manager.add_raw(raw)

    return manager
