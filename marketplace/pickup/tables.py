"""Pickup points: the partner stores where customers collect their orders."""

from enum import Enum

from piccolo.columns import (
    JSONB, Boolean, DoublePrecision, ForeignKey, Integer, Numeric, OnDelete, Timestamptz, Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

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
