from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T22:00:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "incentives by dealer tier: versioned rules, tier history, applied incentives, marketing claims, reserved stock"

STATEMENTS = (
    """
    CREATE TABLE IF NOT EXISTS incentive_rules (
        id serial PRIMARY KEY,
        version integer NOT NULL UNIQUE,
        effective_from timestamptz NOT NULL,
        threshold_1 numeric(12, 2) NOT NULL DEFAULT 2000.00,
        threshold_2 numeric(12, 2) NOT NULL DEFAULT 5000.00,
        threshold_3 numeric(12, 2) NOT NULL DEFAULT 10000.00,
        pct_1 numeric(5, 2) NOT NULL DEFAULT 5.00,
        pct_2 numeric(5, 2) NOT NULL DEFAULT 10.00,
        pct_3 numeric(5, 2) NOT NULL DEFAULT 15.00,
        trial_days integer NOT NULL DEFAULT 30,
        marketing_budget numeric(12, 2) NOT NULL DEFAULT 3000.00,
        fast_movers integer NOT NULL DEFAULT 50,
        demand_days integer NOT NULL DEFAULT 90,
        reservation_hours integer NOT NULL DEFAULT 48,
        new_dealer_days integer NOT NULL DEFAULT 90,
        distributor_min_stock integer NOT NULL DEFAULT 1500,
        urban_min_volume numeric(12, 2) NOT NULL DEFAULT 1000.00,
        created_by varchar(300) NOT NULL DEFAULT 'system',
        created_at timestamptz NOT NULL DEFAULT now(),
        changes jsonb NOT NULL DEFAULT '{}'
    )
    """,
    "CREATE INDEX IF NOT EXISTS incentive_rules_effective_from ON incentive_rules (effective_from)",
    "INSERT INTO incentive_rules (version, effective_from) VALUES (1, '2000-01-01T00:00:00Z') ON CONFLICT DO NOTHING",
    """
    CREATE TABLE IF NOT EXISTS tier_change (
        id serial PRIMARY KEY,
        dealer integer NOT NULL REFERENCES dealer (id) ON DELETE CASCADE,
        tier varchar(16) NOT NULL,
        previous varchar(16) NOT NULL DEFAULT '',
        reason text NOT NULL DEFAULT '',
        changed_by varchar(300) NOT NULL DEFAULT 'system',
        changed_at timestamptz NOT NULL DEFAULT now()
    )
    """,
    "CREATE INDEX IF NOT EXISTS tier_change_dealer ON tier_change (dealer, changed_at)",
    """
    CREATE TABLE IF NOT EXISTS incentive_booking (
        id serial PRIMARY KEY,
        dealer integer NOT NULL REFERENCES dealer (id) ON DELETE RESTRICT,
        period varchar(7) NOT NULL,
        kind varchar(16) NOT NULL CHECK (kind IN ('rebate', 'fee_waiver', 'marketing')),
        amount numeric(14, 2) NOT NULL,
        basis jsonb NOT NULL DEFAULT '{}',
        rules_version integer NOT NULL,
        entry integer NOT NULL UNIQUE REFERENCES ledger_entry (id) ON DELETE RESTRICT,
        booked_at timestamptz NOT NULL DEFAULT now()
    )
    """,
    "CREATE INDEX IF NOT EXISTS incentive_booking_dealer ON incentive_booking (dealer, period)",
    "CREATE INDEX IF NOT EXISTS incentive_booking_period ON incentive_booking (period)",
    """
    CREATE TABLE IF NOT EXISTS marketing_claim (
        id serial PRIMARY KEY,
        dealer integer NOT NULL REFERENCES dealer (id) ON DELETE RESTRICT,
        year integer NOT NULL,
        amount numeric(12, 2) NOT NULL CHECK (amount > 0),
        description text NOT NULL DEFAULT '',
        document bytea NOT NULL,
        document_name varchar(200) NOT NULL,
        content_type varchar(60) NOT NULL,
        status varchar(12) NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'approved', 'rejected')),
        submitted_by varchar(300) NOT NULL DEFAULT '',
        submitted_at timestamptz NOT NULL DEFAULT now(),
        decided_by varchar(300) NOT NULL DEFAULT '',
        decided_at timestamptz,
        note text NOT NULL DEFAULT '',
        rules_version integer NOT NULL,
        entry integer REFERENCES ledger_entry (id) ON DELETE RESTRICT
    )
    """,
    "CREATE INDEX IF NOT EXISTS marketing_claim_dealer ON marketing_claim (dealer, year)",
    """
    CREATE TABLE IF NOT EXISTS reserved_part (
        id serial PRIMARY KEY,
        part integer NOT NULL REFERENCES part (id) ON DELETE CASCADE,
        dealer integer NOT NULL REFERENCES dealer (id) ON DELETE CASCADE,
        demand integer NOT NULL DEFAULT 0,
        reserved_from timestamptz NOT NULL,
        reserved_until timestamptz NOT NULL,
        rules_version integer NOT NULL,
        CHECK (reserved_until > reserved_from)
    )
    """,
    "CREATE INDEX IF NOT EXISTS reserved_part_lookup ON reserved_part (part, dealer, reserved_until)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="incentives", description=DESCRIPTION)

    async def raw():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(raw)

    return manager
