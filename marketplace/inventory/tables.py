"""The network catalog."""

from enum import Enum

from piccolo.columns import (
    JSONB,
    BigInt,
    Boolean,
    Bytea,
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


class Channel(str, Enum):
    physical_only = "physical_only"
    online = "online"


class Part(Table):
    part_number = Varchar(length=64)
    # Upper case with spaces, dashes, dots and slashes removed: what every lookup matches on.
    normalized = Varchar(length=64, unique=True, index=True)
    description = Text(default="")
    # Also in the database, outside this class: description_words, a stored tsvector generated from
    # the description (Italian), for the shop's word search (see migrations/inventory).
    brand = Varchar(length=64, default="")
    category = Varchar(length=64, default="")
    list_price = Numeric(digits=(12, 2))
    map_price = Numeric(digits=(12, 2), null=True, default=None)
    channel = Varchar(length=16, choices=Channel, default=Channel.online)
    # Old -> new: this part is replaced by that one.
    superseded_by = ForeignKey(references="self", null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())


class StockItem(Table):
    """One dealer's stock of one part: the shared pool is all of these rows."""

    dealer = ForeignKey(references=Dealer, on_delete=OnDelete.cascade)
    part = ForeignKey(references=Part, on_delete=OnDelete.restrict)
    on_hand = Integer(default=0)
    # Held by transfers and orders, never changed by feeds. May exceed on_hand after a full
    # feed: the row then shows zero available and the feed report lists the conflict.
    reserved = Integer(default=0)
    # Private: only the owning dealer ever sees it.
    unit_cost = Numeric(digits=(12, 2), null=True, default=None)
    transfer_price = Numeric(digits=(12, 2))
    last_movement_date = Date(null=True, default=None)
    shared = Boolean(default=True)
    updated_at = Timestamptz(default=TimestamptzNow())

    one_row_per_dealer_and_part = Unique([dealer, part])


class FeedMode(str, Enum):
    full = "full"
    delta = "delta"


class FeedSource(str, Enum):
    api = "api"
    page = "page"
    cli = "cli"


class StockFeed(Table):
    """The record of one publish, applied or not; kept 90 days."""

    dealer = ForeignKey(references=Dealer, on_delete=OnDelete.cascade)
    mode = Varchar(length=8, choices=FeedMode)
    source = Varchar(length=8, choices=FeedSource)
    received_at = Timestamptz(default=TimestamptzNow(), index=True)
    applied = Boolean(default=False)
    lines_read = Integer(default=0)
    lines_applied = Integer(default=0)
    lines_rejected = Integer(default=0)
    # [{"line", "part_number", "reason"}] and [{"part_number", "on_hand", "reserved"}]
    rejected = JSONB(default=[])
    conflicts = JSONB(default=[])
    # Why nothing was applied, when nothing was.
    error = Text(default="")
    duration_ms = Integer(default=0)
    # Rows and units on hand a full feed zeroed, or would have zeroed when refused as a shrink.
    zeroed_rows = Integer(default=0)
    zeroed_units = BigInt(default=0)
    # Every rejected line (``rejected`` keeps the first ones), gzipped CSV: downloadable from the feed's page.
    rejected_csv = Bytea(null=True, default=None)
