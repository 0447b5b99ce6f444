from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.column_types import Date
from piccolo.columns.column_types import Numeric
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod
import decimal

ID = "2026-11-29T18:46:36:866296"
VERSION = "1.38.0"
DESCRIPTION = ""


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="settlement", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Settlement",
        tablename="settlement",
        column_name="clearing",
        db_column_name="clearing",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 12,
            "default": "central",
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

    manager.add_column(
        table_class_name="Settlement",
        tablename="settlement",
        column_name="minimum_payout",
        db_column_name="minimum_payout",
        column_class_name="Numeric",
        column_class=Numeric,
        params={
            "default": decimal.Decimal("10.00"),
            "digits": (12, 2),
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

    manager.add_column(
        table_class_name="Settlement",
        tablename="settlement",
        column_name="paid_by",
        db_column_name="paid_by",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 300,
            "default": "",
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

    manager.add_column(
        table_class_name="Settlement",
        tablename="settlement",
        column_name="paid_on",
        db_column_name="paid_on",
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

    manager.add_column(
        table_class_name="Settlement",
        tablename="settlement",
        column_name="payment_date",
        db_column_name="payment_date",
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

    manager.add_column(
        table_class_name="SettlementStatement",
        tablename="settlement_statement",
        column_name="carried",
        db_column_name="carried",
        column_class_name="Numeric",
        column_class=Numeric,
        params={
            "default": decimal.Decimal("0.00"),
            "digits": (14, 2),
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

    manager.add_column(
        table_class_name="SettlementPayment",
        tablename="settlement_payment",
        column_name="method",
        db_column_name="method",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 16,
            "default": "bank_transfer",
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

    manager.alter_column(
        table_class_name="LedgerEntry",
        tablename="ledger_entry",
        column_name="kind",
        db_column_name="kind",
        params={
            "length": 24,
            "choices": Enum(
                "EntryKind",
                {
                    "transfer": "transfer",
                    "order": "order",
                    "reversal": "reversal",
                    "settlement_payment": "settlement_payment",
                },
            ),
        },
        old_params={
            "length": 16,
            "choices": Enum(
                "EntryKind",
                {
                    "transfer": "transfer",
                    "order": "order",
                    "reversal": "reversal",
                },
            ),
        },
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Settlement",
        tablename="settlement",
        column_name="status",
        db_column_name="status",
        params={
            "choices": Enum(
                "SettlementStatus",
                {
                    "draft": "draft",
                    "approved": "approved",
                    "exported": "exported",
                    "paid": "paid",
                },
            )
        },
        old_params={
            "choices": Enum(
                "SettlementStatus",
                {
                    "draft": "draft",
                    "approved": "approved",
                    "exported": "exported",
                },
            )
        },
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
