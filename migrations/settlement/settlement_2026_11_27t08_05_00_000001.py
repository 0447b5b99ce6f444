from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T08:05:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "ledger integrity (balanced, immutable), indexes, the first commission rules"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="settlement", description=DESCRIPTION)

    async def raw():
        engine = engine_finder()
        for statement in (
            "ALTER TABLE ledger_entry ADD CONSTRAINT ledger_entry_period CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$')",
            'CREATE UNIQUE INDEX ledger_entry_one_reversal ON ledger_entry (reverses) WHERE reverses IS NOT NULL',
            'CREATE INDEX ledger_line_account_entry ON ledger_line (account, entry)',
            # Double entry, enforced by the database: the lines of a transaction (written in one
            # statement) sum to zero. Checked at the statement's end, not deferred to COMMIT: a
            # failing COMMIT would leave Piccolo's pooled connection unreleased.
            "CREATE FUNCTION ledger_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$\nDECLARE unbalanced bigint;\nBEGIN\n    SELECT l.entry INTO unbalanced FROM ledger_line l\n    WHERE l.entry IN (SELECT DISTINCT entry FROM new_lines)\n    GROUP BY l.entry HAVING sum(l.amount) <> 0 LIMIT 1;\n    IF unbalanced IS NOT NULL THEN\n        RAISE EXCEPTION 'the lines of ledger entry % do not sum to zero', unbalanced;\n    END IF;\n    RETURN NULL;\nEND $$",
            'CREATE TRIGGER ledger_line_balanced AFTER INSERT ON ledger_line REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT EXECUTE FUNCTION ledger_entry_balanced()',
            "CREATE FUNCTION ledger_immutable() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n    RAISE EXCEPTION 'ledger rows are immutable: book a reversal instead';\nEND $$",
            'CREATE TRIGGER ledger_line_immutable BEFORE UPDATE OR DELETE ON ledger_line FOR EACH ROW EXECUTE FUNCTION ledger_immutable()',
            'CREATE TRIGGER ledger_entry_immutable BEFORE UPDATE OR DELETE ON ledger_entry FOR EACH ROW EXECUTE FUNCTION ledger_immutable()',
            "INSERT INTO commission_rules (version, effective_from, created_by, created_at, changes) VALUES (1, '2000-01-01', 'system', now(), '{}')",
        ):
            await engine.run_ddl(statement)

    manager.add_raw(raw)

    return manager
