from piccolo.conf.apps import AppConfig

from marketplace.geo.tables import GeocodeCache, Territory
from marketplace.settings import PROJECT_ROOT

APP_CONFIG = AppConfig(
    app_name="geo",
    migrations_folder_path=str(PROJECT_ROOT / "migrations" / "geo"),
    table_classes=[GeocodeCache, Territory],
    # Territories refer to dealers.
    migration_dependencies=["marketplace.network.piccolo_app"],
    commands=[],
)
