from piccolo.conf.apps import AppConfig

from marketplace.geo.tables import GeocodeCache, Territory
from marketplace.settings import MIGRATIONS_DIR

APP_CONFIG = AppConfig(
    app_name="geo",
    migrations_folder_path=str(MIGRATIONS_DIR / "geo"),
    table_classes=[GeocodeCache, Territory],
    # Territories refer to dealers.
    migration_dependencies=["marketplace.network.piccolo_app"],
    commands=[],
)
