from piccolo.conf.apps import AppConfig

from marketplace.pulse.tables import AgedStockSnapshot, PhoneOrder, PulseRollup
from marketplace.settings import MIGRATIONS_DIR

APP_CONFIG = AppConfig(
    app_name="pulse",
    migrations_folder_path=str(MIGRATIONS_DIR / "pulse"),
    table_classes=[PhoneOrder, AgedStockSnapshot, PulseRollup],
    migration_dependencies=["marketplace.network.piccolo_app", "marketplace.accounts.piccolo_app",
                            "marketplace.matching.piccolo_app", "marketplace.outbox.piccolo_app"],
    commands=[],
)
