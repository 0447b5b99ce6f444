from piccolo.conf.apps import AppConfig

from marketplace.network.tables import Dealer, DealerClosure, NetworkLogo, NetworkSettings
from marketplace.settings import MIGRATIONS_DIR

APP_CONFIG = AppConfig(
    app_name="network",
    migrations_folder_path=str(MIGRATIONS_DIR / "network"),
    table_classes=[Dealer, NetworkSettings, DealerClosure, NetworkLogo],
    migration_dependencies=[],
    commands=[],
)
