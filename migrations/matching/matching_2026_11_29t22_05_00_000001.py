from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T22:05:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "urgent needs in radius waves: the need and the dealers each wave reached"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="matching", description=DESCRIPTION)

    async def raw():
        engine = engine_finder()
        for statement in (
            "CREATE TABLE IF NOT EXISTS urgent_need ("
            " id serial PRIMARY KEY,"
            " requester integer NOT NULL REFERENCES dealer (id) ON DELETE RESTRICT,"
            " part integer NOT NULL REFERENCES part (id) ON DELETE RESTRICT,"
            " quantity integer NOT NULL CHECK (quantity > 0),"
            " needed_by timestamptz NOT NULL,"
            " note text NOT NULL DEFAULT '',"
            " posted_by varchar(300) NOT NULL DEFAULT '',"
            " status varchar(12) NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'taken', 'expired', 'cancelled')),"
            " wave integer NOT NULL DEFAULT 0,"
            " next_wave_at timestamptz NOT NULL,"
            " taker integer NULL REFERENCES dealer (id) ON DELETE RESTRICT,"
            " transfer integer NULL REFERENCES transfer (id) ON DELETE RESTRICT,"
            " created_at timestamptz NOT NULL DEFAULT now(),"
            " closed_at timestamptz NULL,"
            " CONSTRAINT urgent_need_taken CHECK ((status = 'taken') = (taker IS NOT NULL)))",
            "CREATE INDEX IF NOT EXISTS urgent_need_requester ON urgent_need (requester, created_at)",
            "CREATE INDEX IF NOT EXISTS urgent_need_due ON urgent_need (next_wave_at) WHERE status = 'open'",
            "CREATE TABLE IF NOT EXISTS urgent_need_reach ("
            " id serial PRIMARY KEY,"
            " need integer NOT NULL REFERENCES urgent_need (id) ON DELETE CASCADE,"
            " dealer integer NOT NULL REFERENCES dealer (id) ON DELETE CASCADE,"
            " wave integer NOT NULL,"
            " reached_at timestamptz NOT NULL DEFAULT now(),"
            " CONSTRAINT urgent_need_reach_one_per_dealer UNIQUE (need, dealer))",
            "CREATE INDEX IF NOT EXISTS urgent_need_reach_dealer ON urgent_need_reach (dealer, need)",
        ):
            await engine.run_ddl(statement)

    manager.add_raw(raw)

    return manager
