"""Shapes of the network pulse's JSON API."""

from __future__ import annotations

from decimal import Decimal

import msgspec


class KpisOut(msgspec.Struct):
    """One month's figures for one scope (``network`` or ``dealer:<code>``), as docs/kpis.md defines them."""

    period: str
    scope: str
    time_saved_minutes: int
    requests_completed: int
    fill_rate: float | None
    time_to_fill_p50_hours: float | None
    aged_stock_value: Decimal | None  # at unit cost: null for a dealer's scope read by anyone but the dealer
    aged_stock_value_change_pct: float | None
    aged_stock_sold_value: Decimal | None
    active_dealers: int
    online_orders: int
    referral_earned: Decimal
    pickup_fees: Decimal
