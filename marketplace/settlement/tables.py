"""Commission rules, the double-entry ledger and monthly settlements."""

from decimal import Decimal
from enum import Enum

from piccolo.columns import (
    JSONB,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Unique
from piccolo.table import Table

from marketplace.network.tables import Dealer


class CommissionRules(Table):
    """One version of the network's money rules; a transaction keeps the version it used."""

    version = Integer(unique=True)
    effective_from = Timestamptz(index=True)
    referral_pct = Numeric(digits=(5, 2), default=Decimal("5.00"))
    pickup_fee = Numeric(digits=(12, 2), default=Decimal("0.80"))
    hub_pct = Numeric(digits=(5, 2), default=Decimal("6.00"))
    platform_fee_pct = Numeric(digits=(5, 2), default=Decimal("3.00"))
    transfer_handling_fee = Numeric(digits=(12, 2), default=Decimal("2.00"))
    # The audit: who made this version, and what it changed from the one before.
    created_by = Varchar(length=300, default="system")
    created_at = Timestamptz(default=TimestamptzNow())
    changes = JSONB(default={})


class EntryKind(str, Enum):
    transfer = "transfer"
    order = "order"
    reversal = "reversal"
    # The payments of an approved settlement, once executed: they settle the closing balances.
    settlement_payment = "settlement_payment"
    # Incentives by dealer tier (marketplace/incentives): a fee rebate, fees waived in a free trial,
    # a co-branded marketing contribution.
    rebate = "rebate"
    fee_waiver = "fee_waiver"
    marketing = "marketing"


class LedgerEntry(Table):
    """One transaction: its lines sum to zero, and it is never edited (corrections reverse it)."""

    kind = Varchar(length=24, choices=EntryKind)
    source = Varchar(length=64)  # e.g. "transfer:17", "order:5", "entry:12" for a reversal
    description = Text(default="")
    booked_at = Timestamptz(default=TimestamptzNow())
    # The settlement month it counts in (YYYY-MM, Rome time): the booking month, or the next open
    # one when that month is already approved (an adjustment).
    period = Varchar(length=7, index=True)
    adjustment = Boolean(default=False)
    rules_version = Integer(null=True, default=None)
    reverses = ForeignKey(references="self", null=True, default=None, on_delete=OnDelete.restrict)

    one_entry_per_source = Unique([source, kind])


class LedgerLine(Table):
    entry = ForeignKey(references=LedgerEntry, on_delete=OnDelete.restrict, index=True)
    # "dealer:<code>" or "network": only parties that hold money (a customer's payment is owed by
    # the dealer whose till took it, or by the network when paid online).
    account = Varchar(length=40, index=True)
    dealer = ForeignKey(references=Dealer, null=True, default=None, on_delete=OnDelete.restrict)
    kind = Varchar(length=24)  # what the line is for: transfer_price, handling_fee, referral, ...
    amount = Numeric(digits=(14, 2))  # positive: the account receives; negative: it pays


class SettlementStatus(str, Enum):
    draft = "draft"
    approved = "approved"
    exported = "exported"
    paid = "paid"  # its payments executed and booked into the ledger


class Settlement(Table):
    period = Varchar(length=7, unique=True)
    status = Varchar(length=10, choices=SettlementStatus, default=SettlementStatus.draft)
    computed_at = Timestamptz(default=TimestamptzNow())
    approved_at = Timestamptz(null=True, default=None)
    approved_by = Varchar(length=300, default="")
    exported_at = Timestamptz(null=True, default=None)
    # "central" or "bilateral", as the network's setting was when it was computed.
    clearing = Varchar(length=12, default="central")
    minimum_payout = Numeric(digits=(12, 2), default=Decimal("10.00"))
    # When the bank executes the payments (the SEPA files' date); the ledger books them on paid_on.
    payment_date = Date(null=True, default=None)
    paid_on = Date(null=True, default=None)
    paid_by = Varchar(length=300, default="")


class SettlementStatement(Table):
    settlement = ForeignKey(references=Settlement, on_delete=OnDelete.cascade, index=True)
    account = Varchar(length=40)
    dealer = ForeignKey(references=Dealer, null=True, default=None, on_delete=OnDelete.restrict)
    opening = Numeric(digits=(14, 2))
    closing = Numeric(digits=(14, 2))
    totals = JSONB(default={})  # line kind -> amount (decimal string)
    # The part of the closing balance no payment settles this month (under the minimum payout).
    carried = Numeric(digits=(14, 2), default=Decimal("0.00"))


class SettlementPayment(Table):
    settlement = ForeignKey(references=Settlement, on_delete=OnDelete.cascade, index=True)
    payer = Varchar(length=40)
    payee = Varchar(length=40)
    amount = Numeric(digits=(14, 2))
    # "direct_debit" / "credit_transfer" (central clearing, SEPA) or "bank_transfer" (bilateral).
    method = Varchar(length=16, default="bank_transfer")
