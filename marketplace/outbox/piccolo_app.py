from piccolo.conf.apps import AppConfig

from marketplace.outbox.tables import OutboxMessage
from marketplace.settings import MIGRATIONS_DIR

APP_CONFIG = AppConfig(
    app_name="outbox",
    migrations_folder_path=str(MIGRATIONS_DIR / "outbox"),
    table_classes=[OutboxMessage],
    migration_dependencies=[],
    commands=[],
)
