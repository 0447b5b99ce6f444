"""The network directory: dealers."""

from decimal import Decimal
from enum import Enum

from piccolo.columns import Boolean, Bytea, Date, DoublePrecision, ForeignKey, Integer, Numeric, OnDelete, Timestamptz, Varchar
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
    phone = Varchar(length=40, default="")  # the counter's number: suppliers see it on a request and its DDT
    lat = DoublePrecision(null=True, default=None)
    lon = DoublePrecision(null=True, default=None)
    tier = Varchar(length=16, choices=Tier, default=Tier.urban)
    active = Boolean(default=True)
    is_central_warehouse = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())
    # The last feed that applied: the pool's freshness for this dealer.
    last_feed_at = Timestamptz(null=True, default=None)
    # Billing: who the settlement pays or collects from (central clearing by SEPA).
    legal_name = Varchar(length=200, default="")
    vat_number = Varchar(length=11, default="")  # partita IVA, 11 digits
    iban = Varchar(length=34, default="")  # compact, upper case
    sdd_mandate_ref = Varchar(length=35, default="")  # the SEPA B2B direct debit mandate it signed
    sdd_mandate_signed_on = Date(null=True, default=None)
    billing_email = Varchar(length=254, default="")


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
    # An accepted transfer not shipped within these working days expires (its stock released).
    shipping_deadline_days = Integer(default=2)
    # How the monthly settlement pays: "central" (the network collects and pays every dealer by
    # SEPA) or "bilateral" (the fewest dealer-to-dealer payments).
    clearing = Varchar(length=12, default="central")
    # A balance smaller than this is not paid: it carries to the next month.
    minimum_payout = Numeric(digits=(12, 2), default=Decimal("10.00"))
    # The network as a party of the SEPA files.
    legal_name = Varchar(length=200, default="")
    vat_number = Varchar(length=11, default="")
    iban = Varchar(length=34, default="")
    bic = Varchar(length=11, default="")
    creditor_id = Varchar(length=35, default="")  # SEPA creditor identifier, e.g. IT..ZZZ...
    updated_at = Timestamptz(default=TimestamptzNow())
    # An order placed in the shop holds its stock this many minutes until the customer confirms it
    # by the emailed link (anyone can order without an account).
    order_confirm_minutes = Integer(default=30)
    # No one customer (email or network address) may hold more than this share of a part's
    # network availability in open orders.
    customer_share_pct = Numeric(digits=(5, 2), default=Decimal("50.00"))
    # What a phone order takes per part line, in minutes: the baseline of the time the portal saves
    # (network pulse, pulse/kpis.py). The brief suggests 12.
    phone_minutes_per_line = Integer(default=12)
    # Routing: working minutes a source dealer has to accept its lines of an online order before the
    # line passes to the next holder; urgent needs go out in waves (first radius, second radius,
    # everyone, then the central warehouse if set), one every so many minutes.
    order_accept_minutes = Integer(default=90)
    urgent_first_radius_km = Integer(default=50)
    urgent_second_radius_km = Integer(default=200)
    urgent_wave_minutes = Integer(default=60)
    urgent_central_wave = Boolean(default=True)


class DealerClosure(Table):
    """A dealer's own closed days (patron saint, August closure): not working days for its SLAs,
    deadlines and pickup readiness (marketplace/calendar.py, network/closures.py)."""

    dealer = ForeignKey(references=Dealer, on_delete=OnDelete.cascade, index=True)
    starts_on = Date()
    ends_on = Date()  # inclusive
    reason = Varchar(length=100, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class NetworkLogo(Table):
    """The network's logo in the pages' header: one row at most, an image of bounded size."""

    content_type = Varchar(length=32)
    data = Bytea()
    updated_at = Timestamptz(default=TimestamptzNow())
