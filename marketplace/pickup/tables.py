"""Pickup points: the partner stores where customers collect their orders."""

from enum import Enum

from piccolo.columns import (
    JSONB,
    Boolean,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    Numeric,
    OnDelete,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from marketplace.inventory.tables import Part
from marketplace.matching.tables import Transfer
from marketplace.network.tables import Dealer


class PickupModel(str, Enum):
    basic = "basic"
    cross_selling = "cross_selling"
    logistics_hub = "logistics_hub"
    digital_showroom = "digital_showroom"


class PickupPoint(Table):
    # The dealer running the point: its own store, or a standalone hub it runs.
    dealer = ForeignKey(references=Dealer, on_delete=OnDelete.restrict, index=True)
    name = Varchar(length=200)
    model = Varchar(length=20, choices=PickupModel, default=PickupModel.basic)
    address = Varchar(length=300, default="")
    postal_code = Varchar(length=5)
    city = Varchar(length=120, default="")
    lat = DoublePrecision()
    lon = DoublePrecision()
    # {"mon": [["08:30", "12:30"], ["14:30", "19:00"]], ..., "sun": []}, Rome time
    opening_hours = JSONB(default={})
    lead_time_minutes = Integer(default=60)
    daily_capacity = Integer(default=30)
    # Per-point overrides of the commission rules (null: the rules' default).
    fee_per_parcel = Numeric(digits=(12, 2), null=True, default=None)
    commission_pct = Numeric(digits=(5, 2), null=True, default=None)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class OrderStatus(str, Enum):
    # Placed without an account: held briefly until the customer confirms by the emailed link; the
    # store is not told about it before (see lifecycle.confirm_order).
    unconfirmed = "unconfirmed"
    placed = "placed"
    ready_for_pickup = "ready_for_pickup"
    collected = "collected"
    cancelled = "cancelled"
    expired = "expired"


class CustomerOrder(Table):
    """A click-and-collect order: paid at the counter on collection."""

    pickup_point = ForeignKey(references=PickupPoint, on_delete=OnDelete.restrict, index=True)
    # The dealer whose territory the customer's postal code is in (null: the network's holding queue).
    territory_owner = ForeignKey(references=Dealer, null=True, default=None, on_delete=OnDelete.restrict)
    customer_name = Varchar(length=200)
    customer_email = Varchar(length=254, index=True)
    customer_phone = Varchar(length=40, default="")
    customer_postal_code = Varchar(length=5)
    status = Varchar(length=20, choices=OrderStatus, default=OrderStatus.placed, index=True)
    pickup_code = Varchar(length=8)
    # The customer's status page link: unguessable, unlike the order id.
    token = Varchar(length=64, unique=True)
    total = Numeric(digits=(12, 2))
    # Unique per customer (email), not network-wide: a migration's index on (customer_email, idempotency_key).
    idempotency_key = Varchar(length=200, null=True, default=None)
    request_fingerprint = Varchar(length=64, default="")
    # The network address the order came from: how many one address may place (order_limits.py).
    placed_from = Varchar(length=64, null=True, default=None, index=True)
    code_failures = Integer(default=0)
    # How it is paid (see payment.py): "counter" in this version; the amount taken, on collection.
    payment_method = Varchar(length=20, default="counter")
    paid_amount = Numeric(digits=(12, 2), null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    ready_at = Timestamptz(null=True, default=None)
    hold_until = Timestamptz(null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())
    # The day (Rome) the order is promised ready at its point: what the point's daily capacity
    # counts. Null for orders placed before capacity was kept.
    promised_for = Date(null=True, default=None)
    # The secret of the confirmation link mailed to the customer (unlike ``token``, never shown on
    # the checkout's page: confirming proves the email address is the customer's), and until when
    # an unconfirmed order holds its stock; when the customer confirmed.
    confirm_token = Varchar(length=64, null=True, default=None, unique=True)
    confirm_by = Timestamptz(null=True, default=None)
    confirmed_at = Timestamptz(null=True, default=None)


class OrderLine(Table):
    order = ForeignKey(references=CustomerOrder, on_delete=OnDelete.cascade, index=True)
    part = ForeignKey(references=Part, on_delete=OnDelete.restrict)
    quantity = Integer()
    unit_price = Numeric(digits=(12, 2))
    # Where the units are reserved: the pickup point's dealer, or another one sending them by transfer.
    source_dealer = ForeignKey(references=Dealer, on_delete=OnDelete.restrict)
    transfer = ForeignKey(references=Transfer, null=True, default=None, on_delete=OnDelete.restrict)


class OrderEvent(Table):
    """One step of an order's routing timeline: a line offered to a source dealer, passed over
    (with the reason), the promise moved, a line no dealer could fill. Acceptances, shipments and
    receipts are the transfers' own events (matching's transfer_event), shown beside these."""

    order = ForeignKey(references=CustomerOrder, on_delete=OnDelete.cascade, index=True)
    at = Timestamptz(default=TimestamptzNow())
    kind = Varchar(length=20)  # offered, passed_over, promise_moved, unfilled
    dealer = ForeignKey(references=Dealer, null=True, default=None, on_delete=OnDelete.restrict)
    transfer = ForeignKey(references=Transfer, null=True, default=None, on_delete=OnDelete.restrict)
    detail = JSONB(default={})
