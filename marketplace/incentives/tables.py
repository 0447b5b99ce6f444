"""Incentives by dealer tier: their versioned rules, tier changes, what was applied, marketing
claims and the central warehouse's reserved fast movers."""

from decimal import Decimal
from enum import Enum

from piccolo.columns import JSONB, Bytea, ForeignKey, Integer, Numeric, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from marketplace.inventory.tables import Part
from marketplace.network.tables import Dealer
from marketplace.settlement.tables import LedgerEntry


class IncentiveRules(Table):
    """One version of the tiers' incentives; what it touched keeps its version."""

    version = Integer(unique=True)
    effective_from = Timestamptz(index=True)
    # urban: progressive discount on the fees by the month's online volume (EUR)
    threshold_1 = Numeric(digits=(12, 2), default=Decimal("2000.00"))
    threshold_2 = Numeric(digits=(12, 2), default=Decimal("5000.00"))
    threshold_3 = Numeric(digits=(12, 2), default=Decimal("10000.00"))
    pct_1 = Numeric(digits=(5, 2), default=Decimal("5.00"))
    pct_2 = Numeric(digits=(5, 2), default=Decimal("10.00"))
    pct_3 = Numeric(digits=(5, 2), default=Decimal("15.00"))
    # new: no platform or handling fee for these days after activation
    trial_days = Integer(default=30)
    # distributor: co-branded marketing budget per dealer per calendar year (EUR)
    marketing_budget = Numeric(digits=(12, 2), default=Decimal("3000.00"))
    # provincial: the central warehouse's top N parts by network demand are reserved for the tier
    fast_movers = Integer(default=50)
    demand_days = Integer(default=90)
    reservation_hours = Integer(default=48)
    # the proposal of a tier from a dealer's figures
    new_dealer_days = Integer(default=90)
    distributor_min_stock = Integer(default=1500)
    urban_min_volume = Numeric(digits=(12, 2), default=Decimal("1000.00"))
    created_by = Varchar(length=300, default="system")
    created_at = Timestamptz(default=TimestamptzNow())
    changes = JSONB(default={})


class TierChange(Table):
    """A dealer's tier as set (by a manager or the demo), with the one before: the tier's history."""

    dealer = ForeignKey(references=Dealer, on_delete=OnDelete.cascade, index=True)
    tier = Varchar(length=16)
    previous = Varchar(length=16, default="")
    reason = Text(default="")
    changed_by = Varchar(length=300, default="system")
    changed_at = Timestamptz(default=TimestamptzNow())


class AppliedKind(str, Enum):
    rebate = "rebate"
    fee_waiver = "fee_waiver"
    marketing = "marketing"


class IncentiveBooking(Table):
    """An incentive the settlement booked for a dealer and month (a correction books the difference)."""

    dealer = ForeignKey(references=Dealer, on_delete=OnDelete.restrict, index=True)
    period = Varchar(length=7, index=True)
    kind = Varchar(length=16, choices=AppliedKind)
    amount = Numeric(digits=(14, 2))
    basis = JSONB(default={})  # volume, fees, percent, threshold reached, what is missing for the next
    rules_version = Integer()
    entry = ForeignKey(references=LedgerEntry, on_delete=OnDelete.restrict)
    booked_at = Timestamptz(default=TimestamptzNow())


class ClaimStatus(str, Enum):
    submitted = "submitted"
    approved = "approved"
    rejected = "rejected"


class MarketingClaim(Table):
    dealer = ForeignKey(references=Dealer, on_delete=OnDelete.restrict, index=True)
    year = Integer()
    amount = Numeric(digits=(12, 2))
    description = Text(default="")
    document = Bytea()
    document_name = Varchar(length=200)
    content_type = Varchar(length=60)
    status = Varchar(length=12, choices=ClaimStatus, default=ClaimStatus.submitted)
    submitted_by = Varchar(length=300, default="")
    submitted_at = Timestamptz(default=TimestamptzNow())
    decided_by = Varchar(length=300, default="")
    decided_at = Timestamptz(null=True, default=None)
    note = Text(default="")
    rules_version = Integer()
    entry = ForeignKey(references=LedgerEntry, null=True, default=None, on_delete=OnDelete.restrict)


class ReservedPart(Table):
    """A fast mover of the central warehouse held for small provincial dealers until ``until``."""

    part = ForeignKey(references=Part, on_delete=OnDelete.cascade)
    dealer = ForeignKey(references=Dealer, on_delete=OnDelete.cascade)  # the central warehouse
    demand = Integer(default=0)  # units the network asked for in the demand window
    reserved_from = Timestamptz()
    reserved_until = Timestamptz()
    rules_version = Integer()
