from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T07:34:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "transfer checks and the indexes of inboxes and the sweeper"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="matching", description=DESCRIPTION)

    async def raw():
        engine = engine_finder()
        for statement in (
            'ALTER TABLE transfer ADD CONSTRAINT transfer_quantities CHECK (quantity > 0 AND requested_quantity > 0 AND unit_price >= 0)',
            'ALTER TABLE transfer ADD CONSTRAINT transfer_parties CHECK (requester <> supplier)',
            "ALTER TABLE transfer ADD CONSTRAINT transfer_status CHECK (status IN ('requested', 'offered', 'accepted', 'declined', 'expired', 'shipped', 'received', 'cancelled'))",
            'CREATE INDEX transfer_supplier_status ON transfer (supplier, status, created_at)',
            'CREATE INDEX transfer_requester_status ON transfer (requester, status, created_at)',
            "CREATE INDEX transfer_expiring ON transfer (expires_at) WHERE status = 'requested'",
            'CREATE INDEX search_history_recent ON search_history ("user", at DESC)',
        ):
            await engine.run_ddl(statement)

    manager.add_raw(raw)

    return manager
