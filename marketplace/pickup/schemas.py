"""Shapes of the pickup quote and order JSON API."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

import msgspec

from marketplace.bounds import Id, Quantity
from marketplace.decimal_input import NotADecimal, parse_decimal
from marketplace.pickup.payment import MAX_COUNTER_AMOUNT


class QuotedPointOut(msgspec.Struct):
    pickup_point_id: int
    dealer_code: str
    name: str
    city: str
    distance_km: float
    ready_today: bool
    ready_by: date


class QuoteOut(msgspec.Struct):
    points: list[QuotedPointOut]
    recommended: int | None

class CustomerIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(max_length=200)]
    email: Annotated[str, msgspec.Meta(max_length=254)]
    postal_code: Annotated[str, msgspec.Meta(max_length=10)]
    phone: Annotated[str, msgspec.Meta(max_length=40)] = ""


class ItemIn(msgspec.Struct, forbid_unknown_fields=True):
    part_number: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    quantity: Quantity


class OrderIn(msgspec.Struct, forbid_unknown_fields=True):
    customer: CustomerIn
    items: Annotated[list[ItemIn], msgspec.Meta(max_length=100)]
    pickup_point_id: Id


class OrderLineOut(msgspec.Struct):
    part_number: str
    quantity: int
    source_dealer: str
    unit_price: Decimal


class StaffOrderOut(msgspec.Struct):
    """An order as the store and the network see it: never the customer's pickup code (a clerk who
    could read it could hand the parts over without the customer)."""

    id: int
    status: str
    pickup_point_id: int
    territory_owner: str | None
    lines: list[OrderLineOut]
    total: Decimal
    promised_for: date | None


class OrderOut(msgspec.Struct):
    """The order as its customer sees it, with the pickup code."""

    id: int
    status: str
    pickup_code: str
    pickup_point_id: int
    territory_owner: str | None
    lines: list[OrderLineOut]
    total: Decimal
    promised_for: date | None  # the day the store promises it ready (the quote's ready_by)

class CodeIn(msgspec.Struct, forbid_unknown_fields=True):
    pickup_code: Annotated[str, msgspec.Meta(max_length=64)]
    amount: Decimal | None = None  # what the store took at the counter: refused unless it is the total

    def __post_init__(self) -> None:
        if self.amount is not None:
            try:
                self.amount = parse_decimal(self.amount, "amount", high=MAX_COUNTER_AMOUNT)
            except NotADecimal as error:
                raise ValueError(f"amount: {error.message}") from None


class OfferLineOut(msgspec.Struct):
    transfer_id: int
    part_number: str
    description: str
    quantity: int


class OfferOut(msgspec.Struct):
    """An online order's lines offered to the calling dealer: accept them by ``accept_by``."""

    order_id: int
    accept_by: datetime
    promised_for: date | None
    pickup_dealer: str
    point_city: str
    lines: list[OfferLineOut]

    @classmethod
    def of(cls, offer: dict) -> OfferOut:
        return cls(order_id=offer["order_id"], accept_by=offer["accept_by"], promised_for=offer["promised_for"],
                   pickup_dealer=offer["requester"], point_city=offer["point_city"],
                   lines=[OfferLineOut(**line) for line in offer["lines"]])


class AcceptedOut(msgspec.Struct):
    order_id: int
    accepted_lines: int
