from piccolo.conf.apps import AppConfig

from marketplace.network.tables import Dealer, NetworkSettings
from marketplace.settings import PROJECT_ROOT

APP_CONFIG = AppConfig(
    app_name="network",
    migrations_folder_path=str(PROJECT_ROOT / "migrations" / "network"),
    table_classes=[Dealer, NetworkSettings],
    migration_dependencies=[],
    commands=[],
)
