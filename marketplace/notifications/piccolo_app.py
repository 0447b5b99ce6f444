from piccolo.conf.apps import AppConfig

from marketplace.notifications.tables import Notification, NotificationAddress, NotificationPreference, NotificationRead
from marketplace.settings import MIGRATIONS_DIR

APP_CONFIG = AppConfig(
    app_name="notifications",
    migrations_folder_path=str(MIGRATIONS_DIR / "notifications"),
    table_classes=[NotificationAddress, NotificationPreference, Notification, NotificationRead],
    migration_dependencies=["marketplace.network.piccolo_app", "marketplace.accounts.piccolo_app"],
    commands=[],
)
