from piccolo.conf.apps import AppConfig

from marketplace.pickup.tables import PickupPoint
from marketplace.settings import PROJECT_ROOT

APP_CONFIG = AppConfig(
    app_name="pickup",
    migrations_folder_path=str(PROJECT_ROOT / "migrations" / "pickup"),
    table_classes=[PickupPoint],
    migration_dependencies=["marketplace.network.piccolo_app"],
    commands=[],
)
