"""Dealer-to-dealer transfers, their timeline, and what a clerk's searches remember."""

from enum import Enum

from piccolo.columns import (
    JSONB,
    Array,
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

from marketplace.accounts.tables import User
from marketplace.inventory.tables import Part
from marketplace.network.tables import Dealer


class TransferStatus(str, Enum):
    requested = "requested"
    # The supplier accepted with a smaller quantity or another part number: the requester confirms.
    offered = "offered"
    accepted = "accepted"
    declined = "declined"
    expired = "expired"
    shipped = "shipped"
    received = "received"
    cancelled = "cancelled"


class DeclineReason(str, Enum):
    backordered = "backordered"
    discontinued = "discontinued"
    not_available = "not_available"
    not_stocked = "not_stocked"
    other = "other"


class Transfer(Table):
    requester = ForeignKey(references=Dealer, on_delete=OnDelete.restrict)
    supplier = ForeignKey(references=Dealer, on_delete=OnDelete.restrict)
    # The part reserved and shipped; an offer may replace the one asked for.
    part = ForeignKey(references=Part, on_delete=OnDelete.restrict)
    requested_part = ForeignKey(references=Part, on_delete=OnDelete.restrict)
    quantity = Integer()
    requested_quantity = Integer()
    # Frozen at request time (and at an offer's replacement part).
    unit_price = Numeric(digits=(12, 2))
    status = Varchar(length=12, choices=TransferStatus, default=TransferStatus.requested, index=True)
    note = Text(default="")
    decline_reason = Varchar(length=16, null=True, default=None, choices=DeclineReason)
    carrier = Varchar(length=100, default="")
    tracking = Varchar(length=100, default="")
    idempotency_key = Varchar(length=200, null=True, default=None)
    request_fingerprint = Varchar(length=64, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    updated_at = Timestamptz(default=TimestamptzNow())
    # The transport document (DDT) given at shipping: numbered per supplier per year (ddt.py).
    shipped_at = Timestamptz(null=True, default=None)
    ddt_year = Integer(null=True, default=None)
    ddt_number = Integer(null=True, default=None)
    # The search line the request came from (the requester's latest search for the part within a
    # day before it), set by request_transfer: the portal time and the fill rate's line read it.
    search_line = Integer(null=True, default=None)
    # The supplier's stock row's last movement date when the transfer was made: aged when sold?
    source_moved_on = Date(null=True, default=None)

    one_key_per_requester = Unique([requester, idempotency_key])


class TransferEvent(Table):
    """One step of a transfer's timeline."""

    transfer = ForeignKey(references=Transfer, on_delete=OnDelete.cascade, index=True)
    at = Timestamptz(default=TimestamptzNow())
    actor = Varchar(length=300)
    from_status = Varchar(length=12, null=True, default=None)
    to_status = Varchar(length=12)
    detail = JSONB(default={})


class SearchHistory(Table):
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    query = Text()
    at = Timestamptz(default=TimestamptzNow())


class SearchLine(Table):
    """One part line of one network search, recorded by ``search.search`` for every entry point
    (page, API, lists): what a dealer looked for, whether it held it and whether the network had it."""

    dealer = ForeignKey(references=Dealer, on_delete=OnDelete.cascade)
    user = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True, default=None)
    # The chain's newest number (the one to ask for), normalized; the number asked when unknown.
    number = Varchar(length=64)
    part = ForeignKey(references=Part, on_delete=OnDelete.cascade, null=True, default=None)
    parts = Array(base_column=Integer())  # every part of the chain, so a request for an older number links
    quantity = Integer()
    own_available = Integer()
    found = Boolean()  # some other dealer (or the central warehouse) had it
    at = Timestamptz(default=TimestamptzNow())


class FavouriteSupplier(Table):
    dealer = ForeignKey(references=Dealer, on_delete=OnDelete.cascade)
    supplier = ForeignKey(references=Dealer, on_delete=OnDelete.cascade)
    created_at = Timestamptz(default=TimestamptzNow())

    one_favourite_per_pair = Unique([dealer, supplier])


class DdtCounter(Table):
    """The last DDT number a supplier gave in a year (the next is one more, taken under its row lock)."""

    supplier = ForeignKey(references=Dealer, on_delete=OnDelete.cascade)
    year = Integer()
    last_number = Integer(default=0)

    one_per_supplier_year = Unique([supplier, year])


class UrgentNeedStatus(str, Enum):
    open = "open"
    taken = "taken"
    expired = "expired"
    cancelled = "cancelled"


class UrgentNeed(Table):
    """A clerk's urgent need (part, quantity, deadline) sent to holders in widening waves; the
    first holder to commit gets it as an accepted transfer (urgent_needs.py)."""

    requester = ForeignKey(references=Dealer, on_delete=OnDelete.restrict, index=True)
    part = ForeignKey(references=Part, on_delete=OnDelete.restrict)
    quantity = Integer()
    needed_by = Timestamptz()
    note = Text(default="")
    posted_by = Varchar(length=300, default="")
    status = Varchar(length=12, choices=UrgentNeedStatus, default=UrgentNeedStatus.open)
    wave = Integer(default=0)  # the last wave sent (1: first radius, 2: second, 3: everyone, 4: central warehouse)
    next_wave_at = Timestamptz()  # when the next wave goes (or, after the last, when the need expires)
    taker = ForeignKey(references=Dealer, null=True, default=None, on_delete=OnDelete.restrict)
    transfer = ForeignKey(references=Transfer, null=True, default=None, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())
    closed_at = Timestamptz(null=True, default=None)


class UrgentNeedReach(Table):
    """A dealer an urgent need reached, and in which wave: who may see and commit to it."""

    need = ForeignKey(references=UrgentNeed, on_delete=OnDelete.cascade)
    dealer = ForeignKey(references=Dealer, on_delete=OnDelete.cascade, index=True)
    wave = Integer()
    reached_at = Timestamptz(default=TimestamptzNow())

    one_per_dealer = Unique([need, dealer])
