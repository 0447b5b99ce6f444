from piccolo.conf.apps import AppConfig

from marketplace.accounts.tables import ApiKey, LoginAttempt, User, WebSession
from marketplace.settings import PROJECT_ROOT

APP_CONFIG = AppConfig(
    app_name="accounts",
    migrations_folder_path=str(PROJECT_ROOT / "migrations" / "accounts"),
    table_classes=[User, ApiKey, LoginAttempt, WebSession],
    migration_dependencies=["marketplace.network.piccolo_app"],
    commands=[],
)
