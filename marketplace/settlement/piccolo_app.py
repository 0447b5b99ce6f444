from piccolo.conf.apps import AppConfig

from marketplace.settings import MIGRATIONS_DIR
from marketplace.settlement.tables import (
    CommissionRules,
    LedgerEntry,
    LedgerLine,
    Settlement,
    SettlementPayment,
    SettlementStatement,
)

APP_CONFIG = AppConfig(
    app_name="settlement",
    migrations_folder_path=str(MIGRATIONS_DIR / "settlement"),
    table_classes=[CommissionRules, LedgerEntry, LedgerLine, Settlement, SettlementStatement, SettlementPayment],
    migration_dependencies=["marketplace.network.piccolo_app"],
    commands=[],
)
