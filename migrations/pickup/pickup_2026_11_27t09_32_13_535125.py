from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Date
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-27T09:32:13:535125"
VERSION = "1.38.0"
DESCRIPTION = "the day an order is promised ready at its point"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="pickup", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="CustomerOrder",
        tablename="customer_order",
        column_name="promised_for",
        db_column_name="promised_for",
        column_class_name="Date",
        column_class=Date,
        params={
            "default": None,
            "null": True,
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
