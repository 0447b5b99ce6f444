"""The network directory: dealers."""

from decimal import Decimal
from enum import Enum

from piccolo.columns import Boolean, DoublePrecision, Integer, Numeric, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Tier(str, Enum):
    """The brief's dealer kinds, each with its own incentive."""

    provincial = "provincial"
    urban = "urban"
    distributor = "distributor"
    new = "new"


class Dealer(Table):
    code = Varchar(length=16, unique=True, index=True)
    name = Varchar(length=200)
    address = Varchar(length=300, default="")
    postal_code = Varchar(length=5)
    city = Varchar(length=120)
    province = Varchar(length=2, default="")
    lat = DoublePrecision(null=True, default=None)
    lon = DoublePrecision(null=True, default=None)
    tier = Varchar(length=16, choices=Tier, default=Tier.urban)
    active = Boolean(default=True)
    is_central_warehouse = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())
    # The last feed that applied: the pool's freshness for this dealer.
    last_feed_at = Timestamptz(null=True, default=None)


class NetworkSettings(Table):
    """The network's own settings: one row, edited by managers."""

    # A feed older than this flags the dealer stale; the matcher leaves stale stock out.
    stale_feed_hours = Integer(default=48)
    # Transfer price when a feed gives none: list price minus this discount.
    transfer_discount_pct = Numeric(digits=(5, 2), default=Decimal("20.00"))
    # A full feed rejecting more than this share of its lines applies nothing (a truncated export).
    full_feed_reject_limit_pct = Numeric(digits=(5, 2), default=Decimal("5.00"))
    # A full feed zeroing more than this share of the dealer's rows or units on hand applies nothing
    # unless the dealer confirms the shrink (a cut export lists half a warehouse).
    full_feed_shrink_limit_pct = Numeric(digits=(5, 2), default=Decimal("20.00"))
    # A transfer request not answered within these working hours (Mon-Fri 8-18, Rome) expires.
    transfer_sla_hours = Integer(default=4)
    # The network's online price: list price minus this discount, never below the part's MAP.
    online_discount_pct = Numeric(digits=(5, 2), default=Decimal("0.00"))
    # Working days a part takes to come from another dealer to a pickup point (quotes promise this).
    transfer_days = Integer(default=2)
    updated_at = Timestamptz(default=TimestamptzNow())
    # An order placed in the shop holds its stock this many minutes until the customer confirms it
    # by the emailed link (anyone can order without an account).
    order_confirm_minutes = Integer(default=30)
    # No one customer (email or network address) may hold more than this share of a part's
    # network availability in open orders.
    customer_share_pct = Numeric(digits=(5, 2), default=Decimal("50.00"))
