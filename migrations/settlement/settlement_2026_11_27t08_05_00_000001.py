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
            "CREATE FUNCTION ledger_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n    IF (SELECT COALESCE(sum(amount), 0) FROM ledger_line WHERE entry = NEW.entry) <> 0 THEN\n        RAISE EXCEPTION 'the lines of ledger entry % do not sum to zero', NEW.entry;\n    END IF;\n    RETURN NULL;\nEND $$",
            'CREATE CONSTRAINT TRIGGER ledger_line_balanced AFTER INSERT OR UPDATE ON ledger_line DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_entry_balanced()',
            "CREATE FUNCTION ledger_immutable() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n    RAISE EXCEPTION 'ledger rows are immutable: book a reversal instead';\nEND $$",
            'CREATE TRIGGER ledger_line_immutable BEFORE UPDATE OR DELETE ON ledger_line FOR EACH ROW EXECUTE FUNCTION ledger_immutable()',
            'CREATE TRIGGER ledger_entry_immutable BEFORE UPDATE OR DELETE ON ledger_entry FOR EACH ROW EXECUTE FUNCTION ledger_immutable()',
            "INSERT INTO commission_rules (version, effective_from, created_by, created_at, changes) VALUES (1, '2000-01-01', 'system', now(), '{}')",
        ):
            await engine.run_ddl(statement)

    manager.add_raw(raw)

    return manager
