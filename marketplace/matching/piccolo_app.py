from piccolo.conf.apps import AppConfig

from marketplace.matching.tables import (
    DdtCounter,
    FavouriteSupplier,
    SearchHistory,
    SearchLine,
    Transfer,
    TransferEvent,
    UrgentNeed,
    UrgentNeedReach,
)
from marketplace.settings import MIGRATIONS_DIR

APP_CONFIG = AppConfig(
    app_name="matching",
    migrations_folder_path=str(MIGRATIONS_DIR / "matching"),
    table_classes=[Transfer, TransferEvent, SearchHistory, FavouriteSupplier, DdtCounter, UrgentNeed, UrgentNeedReach,
                   SearchLine],
    migration_dependencies=[
        "marketplace.network.piccolo_app", "marketplace.accounts.piccolo_app", "marketplace.inventory.piccolo_app",
    ],
    commands=[],
)
