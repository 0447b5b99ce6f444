"""Network search and transfer shapes at the API's edge; prices as decimal strings."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

import msgspec

from marketplace.bounds import LongText, Quantity, ShortText
from marketplace.matching.ddt import ddt_label
from marketplace.matching.search import Holder, SearchResult


class HolderOut(msgspec.Struct):
    dealer_code: str
    dealer_name: str
    city: str
    distance_km: float | None
    available: int
    transfer_price: Decimal
    feed_age_hours: float | None
    part_number: str
    stock_age_days: int | None = None

    @classmethod
    def of(cls, holder: Holder) -> HolderOut:
        return cls(**{name: getattr(holder, name) for name in cls.__struct_fields__})


class SplitOut(msgspec.Struct):
    dealer_code: str
    quantity: int


class ResultOut(msgspec.Struct):
    query: str
    status: str
    part_number: str | None
    description: str
    replaces: list[str]
    replaced_by: str | None
    own_available: int
    holders: list[HolderOut]
    holders_total: int
    split: list[SplitOut]
    central: HolderOut | None
    match: str = "number"
    suggestions: list[str] = []

    @classmethod
    def of(cls, result: SearchResult) -> ResultOut:
        return cls(
            query=result.query, status=result.status, part_number=result.part_number, description=result.description,
            replaces=result.replaces, replaced_by=result.replaced_by, own_available=result.own_available,
            holders=[HolderOut.of(h) for h in result.holders], holders_total=result.holders_total,
            split=[SplitOut(s.dealer_code, s.quantity) for s in result.split],
            central=HolderOut.of(result.central) if result.central else None,
            match=result.match, suggestions=result.suggestions,
        )


class SearchOut(msgspec.Struct):
    results: list[ResultOut]


class TransferIn(msgspec.Struct, forbid_unknown_fields=True):
    supplier: Annotated[str, msgspec.Meta(max_length=16)]
    part_number: Annotated[str, msgspec.Meta(max_length=64)]
    quantity: Quantity
    note: LongText = ""


class AnswerIn(msgspec.Struct, forbid_unknown_fields=True):
    quantity: Quantity | None = None
    part_number: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    reason: LongText | None = None
    carrier: ShortText = ""
    tracking: ShortText = ""


class EventOut(msgspec.Struct):
    at: datetime
    actor: str
    from_status: str | None
    to_status: str


class TransferOut(msgspec.Struct):
    id: int
    status: str
    requester: str
    supplier: str
    part_number: str
    quantity: int
    unit_price: Decimal
    expires_at: datetime
    requested_part_number: str
    requested_quantity: int
    note: str
    decline_reason: str | None
    carrier: str
    tracking: str
    created_at: datetime
    events: list[EventOut] = []
    # Where the parts go and whom to call (the requester's), and the shipment's DDT number (17/2026).
    requester_address: str = ""
    requester_phone: str = ""
    ddt: str | None = None

    @classmethod
    def of(cls, row: dict, events: list[dict] | None = None) -> TransferOut:
        computed = ("events", "requester_address", "ddt")
        fields = {name: row[name] for name in cls.__struct_fields__ if name not in computed}
        return cls(**fields, events=[
            EventOut(e["at"], e["actor"], e["from_status"], e["to_status"]) for e in events or []],
            requester_address=requester_address(row),
            ddt=ddt_label(row["ddt_year"], row["ddt_number"]) if row.get("ddt_number") else None)


def requester_address(row: dict) -> str:
    """The requester's address on one line: street, postal code, city (province)."""
    place = " ".join(p for p in (row["requester_postal_code"], row["requester_city"]) if p)
    if row.get("requester_province"):
        place += f" ({row['requester_province']})"
    return ", ".join(p for p in (row["requester_address"], place) if p)


class TransferPage(msgspec.Struct):
    items: list[TransferOut]
    total: int
    page: int
    pages: int
