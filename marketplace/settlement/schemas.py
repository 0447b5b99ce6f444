"""Shapes of the settlement and ledger JSON API."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import msgspec


class PeriodIn(msgspec.Struct, forbid_unknown_fields=True):
    period: str


class PaidIn(msgspec.Struct, forbid_unknown_fields=True):
    paid_on: str | None = None  # YYYY-MM-DD; by default the payment date (or today when earlier)


class StatementOut(msgspec.Struct):
    account: str
    dealer_code: str | None
    name: str
    vat_number: str
    opening: Decimal
    closing: Decimal
    carried: Decimal
    totals: dict[str, Decimal]


class PaymentOut(msgspec.Struct):
    payer: str
    payee: str
    amount: Decimal
    method: str


class BlockerOut(msgspec.Struct):
    party: str
    name: str
    missing: list[str]


class SettlementOut(msgspec.Struct):
    period: str
    status: str
    clearing: str
    minimum_payout: Decimal
    payment_date: date | None
    paid_on: date | None
    computed_at: datetime
    approved_at: datetime | None
    statements: list[StatementOut]
    payments: list[PaymentOut]
    blockers: list[BlockerOut]


class ReversalIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: str = ""


class ReversalOut(msgspec.Struct):
    entry_id: int
    reverses: int
