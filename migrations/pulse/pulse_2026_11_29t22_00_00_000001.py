from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T22:00:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "the monthly rollup of the pulse's figures (network and each dealer); one monthly report per dealer"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="pulse", description=DESCRIPTION)

    async def raw():
        engine = engine_finder()
        for statement in (
            """CREATE TABLE pulse_rollup (
                id serial PRIMARY KEY,
                period varchar(7) NOT NULL,
                scope varchar(40) NOT NULL,
                figures jsonb NOT NULL,
                refreshed_at timestamptz NOT NULL DEFAULT now(),
                CONSTRAINT pulse_rollup_one_per_scope UNIQUE (period, scope))""",
            "CREATE INDEX transfer_event_step_at ON transfer_event (to_status, at)",
            # emit_once's guard: one monthly report per recipient and month.
            "CREATE UNIQUE INDEX outbox_message_one_pulse_report ON outbox_message (topic, (payload->>'report'))"
            " WHERE topic = 'pulse.monthly_report'",
        ):
            await engine.run_ddl(statement)

    manager.add_raw(raw)

    return manager
