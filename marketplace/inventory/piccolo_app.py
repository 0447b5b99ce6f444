from piccolo.conf.apps import AppConfig

from marketplace.inventory.tables import Part, StockFeed, StockItem
from marketplace.settings import MIGRATIONS_DIR

APP_CONFIG = AppConfig(
    app_name="inventory",
    migrations_folder_path=str(MIGRATIONS_DIR / "inventory"),
    table_classes=[Part, StockItem, StockFeed],
    migration_dependencies=["marketplace.network.piccolo_app"],
    commands=[],
)
