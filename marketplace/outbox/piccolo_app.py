from piccolo.conf.apps import AppConfig

from marketplace.outbox.tables import OutboxMessage
from marketplace.settings import PROJECT_ROOT

APP_CONFIG = AppConfig(
    app_name="outbox",
    migrations_folder_path=str(PROJECT_ROOT / "migrations" / "outbox"),
    table_classes=[OutboxMessage],
    migration_dependencies=[],
    commands=[],
)
