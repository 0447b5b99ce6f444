from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T21:55:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "zone agents: assignments (provinces, hand-picked dealers), the audit log, the adoption bonus rule"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="agents", description=DESCRIPTION)

    async def raw():
        engine = engine_finder()
        for statement in (
            """CREATE TABLE IF NOT EXISTS agent_province (
                id serial PRIMARY KEY,
                agent integer NOT NULL REFERENCES network_user (id) ON DELETE CASCADE,
                province varchar(2) NOT NULL CHECK (province ~ '^[A-Z]{2}$'),
                assigned_at timestamptz NOT NULL DEFAULT now(),
                CONSTRAINT agent_province_one_per_agent UNIQUE (agent, province))""",
            "CREATE INDEX IF NOT EXISTS agent_province_province ON agent_province (province)",
            """CREATE TABLE IF NOT EXISTS agent_dealer (
                id serial PRIMARY KEY,
                agent integer NOT NULL REFERENCES network_user (id) ON DELETE CASCADE,
                dealer integer NOT NULL REFERENCES dealer (id) ON DELETE CASCADE,
                assigned_at timestamptz NOT NULL DEFAULT now(),
                CONSTRAINT agent_dealer_one_per_agent UNIQUE (agent, dealer))""",
            "CREATE INDEX IF NOT EXISTS agent_dealer_dealer ON agent_dealer (dealer)",
            """CREATE TABLE IF NOT EXISTS agent_action (
                id serial PRIMARY KEY,
                at timestamptz NOT NULL DEFAULT now(),
                agent integer NOT NULL REFERENCES network_user (id) ON DELETE RESTRICT,
                dealer integer NOT NULL REFERENCES dealer (id) ON DELETE RESTRICT,
                action varchar(40) NOT NULL,
                subject varchar(300) NOT NULL DEFAULT '',
                detail jsonb NOT NULL DEFAULT '{}')""",
            "CREATE INDEX IF NOT EXISTS agent_action_dealer_at ON agent_action (dealer, at DESC)",
            "CREATE INDEX IF NOT EXISTS agent_action_agent_at ON agent_action (agent, at DESC)",
            """CREATE TABLE IF NOT EXISTS agent_bonus_rule (
                id serial PRIMARY KEY,
                version integer NOT NULL UNIQUE,
                effective_from date NOT NULL,
                per_active_dealer numeric(12, 2) NOT NULL DEFAULT 20.00 CHECK (per_active_dealer >= 0),
                per_hour_saved numeric(12, 2) NOT NULL DEFAULT 2.00 CHECK (per_hour_saved >= 0),
                share_floor_pct numeric(5, 2) NOT NULL DEFAULT 50.00 CHECK (share_floor_pct BETWEEN 0 AND 100),
                per_share_point numeric(12, 2) NOT NULL DEFAULT 5.00 CHECK (per_share_point >= 0),
                cap numeric(12, 2) NOT NULL DEFAULT 1000.00 CHECK (cap >= 0),
                created_by varchar(300) NOT NULL DEFAULT 'system',
                created_at timestamptz NOT NULL DEFAULT now())""",
            "INSERT INTO agent_bonus_rule (version, effective_from) VALUES (1, DATE '2025-01-01') ON CONFLICT DO NOTHING",
        ):
            await engine.run_ddl(statement)

    manager.add_raw(raw)

    return manager
