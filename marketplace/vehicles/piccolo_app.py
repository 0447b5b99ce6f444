from piccolo.conf.apps import AppConfig

from marketplace.settings import MIGRATIONS_DIR
from marketplace.vehicles.tables import CalloutPart, CatalogGroup, Diagram, PlateLookup, Vehicle, VehicleModel

APP_CONFIG = AppConfig(
    app_name="vehicles",
    migrations_folder_path=str(MIGRATIONS_DIR / "vehicles"),
    table_classes=[VehicleModel, Vehicle, CatalogGroup, Diagram, CalloutPart, PlateLookup],
    migration_dependencies=["marketplace.inventory.piccolo_app"],
    commands=[],
)
