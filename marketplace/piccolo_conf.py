"""Piccolo's configuration: the engine and the apps that own tables."""

from piccolo.conf.apps import AppRegistry
from piccolo.engine.postgres import PostgresEngine

from marketplace.db import connection_options, database_url

# No extensions: the embedded server ships none, and the same code must run on both.
# connection_options: the application name, and no statement cache behind PgBouncer.
DB = PostgresEngine(config={"dsn": database_url(), **connection_options()}, extensions=())

APP_REGISTRY = AppRegistry(
    apps=[
        "marketplace.network.piccolo_app",
        "marketplace.accounts.piccolo_app",
        "marketplace.inventory.piccolo_app",
        "marketplace.geo.piccolo_app",
        "marketplace.matching.piccolo_app",
        "marketplace.outbox.piccolo_app",
        "marketplace.settlement.piccolo_app",
        "marketplace.pickup.piccolo_app",
        "marketplace.vehicles.piccolo_app",
        "marketplace.incentives.piccolo_app",
        "marketplace.agents.piccolo_app",
        "marketplace.pulse.piccolo_app",
        "marketplace.webhooks.piccolo_app",
        "marketplace.notifications.piccolo_app",
    ]
)
