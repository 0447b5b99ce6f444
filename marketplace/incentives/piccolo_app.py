from piccolo.conf.apps import AppConfig

from marketplace.incentives.tables import IncentiveBooking, IncentiveRules, MarketingClaim, ReservedPart, TierChange
from marketplace.settings import MIGRATIONS_DIR

APP_CONFIG = AppConfig(
    app_name="incentives",
    migrations_folder_path=str(MIGRATIONS_DIR / "incentives"),
    table_classes=[IncentiveRules, TierChange, IncentiveBooking, MarketingClaim, ReservedPart],
    migration_dependencies=["marketplace.network.piccolo_app", "marketplace.inventory.piccolo_app",
                            "marketplace.settlement.piccolo_app"],
    commands=[],
)
