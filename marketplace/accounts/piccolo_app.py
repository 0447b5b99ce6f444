from piccolo.conf.apps import AppConfig

from marketplace.accounts.tables import ApiKey, LoginAttempt, User, WebSession
from marketplace.settings import MIGRATIONS_DIR

APP_CONFIG = AppConfig(
    app_name="accounts",
    migrations_folder_path=str(MIGRATIONS_DIR / "accounts"),
    table_classes=[User, ApiKey, LoginAttempt, WebSession],
    migration_dependencies=["marketplace.network.piccolo_app"],
    commands=[],
)
