from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Numeric
from piccolo.columns.indexes import IndexMethod
import decimal

ID = "2026-11-29T19:00:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "A full feed's shrink limit (share of rows or units on hand it may zero unconfirmed)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="network", description=DESCRIPTION)
    manager.add_column(
        table_class_name="NetworkSettings",
        tablename="network_settings",
        column_name="full_feed_shrink_limit_pct",
        db_column_name="full_feed_shrink_limit_pct",
        column_class_name="Numeric",
        column_class=Numeric,
        params={
            "default": decimal.Decimal("20.00"),
            "digits": (5, 2),
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )
    return manager
