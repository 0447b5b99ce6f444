from piccolo.conf.apps import AppConfig

from marketplace.pickup.tables import CustomerOrder, OrderEvent, OrderLine, PickupPoint
from marketplace.settings import MIGRATIONS_DIR

APP_CONFIG = AppConfig(
    app_name="pickup",
    migrations_folder_path=str(MIGRATIONS_DIR / "pickup"),
    table_classes=[PickupPoint, CustomerOrder, OrderLine, OrderEvent],
    migration_dependencies=[
        "marketplace.network.piccolo_app", "marketplace.inventory.piccolo_app", "marketplace.matching.piccolo_app",
    ],
    commands=[],
)
