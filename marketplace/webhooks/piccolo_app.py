from piccolo.conf.apps import AppConfig

from marketplace.settings import MIGRATIONS_DIR
from marketplace.webhooks.tables import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookMessage

APP_CONFIG = AppConfig(
    app_name="webhooks",
    migrations_folder_path=str(MIGRATIONS_DIR / "webhooks"),
    table_classes=[WebhookEndpoint, WebhookMessage, WebhookDelivery, WebhookAttempt],
    migration_dependencies=["marketplace.network.piccolo_app", "marketplace.outbox.piccolo_app"],
    commands=[],
)
