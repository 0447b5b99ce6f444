"""Cents: rounding a rule's share, and splitting a total so the parts add up exactly.

Every amount is a ``Decimal`` with two places (EUR). Splits work in integer cents with the
largest-remainder method: each part gets its floor, and the cents left over go one by one to the
largest fractional remainders, ties going to the earlier part; so the parts always sum to the
total, and no part is off by more than one cent from its exact share.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def cents(amount: Decimal) -> int:
    """Integer cents of an amount that has at most two places."""
    value = amount * 100
    if value != value.to_integral_value():
        raise ValueError(f"{amount} has more than two decimal places")
    return int(value)


def euros(count: int) -> Decimal:
    return (Decimal(count) / 100).quantize(CENT)


def percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    """``percent`` of ``amount``, to the cent, half a cent rounded up (commercial rounding)."""
    return (amount * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def allocate(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split ``total`` in proportion to ``weights``; the parts sum to ``total`` exactly."""
    if not weights:
        raise ValueError("nothing to allocate to")
    if any(w < 0 for w in weights):
        raise ValueError("weights cannot be negative")
    weight_sum = sum(weights)
    total_cents = cents(total)
    if weight_sum == 0:
        weights, weight_sum = [Decimal(1)] * len(weights), Decimal(len(weights))
    exact = [Decimal(total_cents) * w / weight_sum for w in weights]
    floors = [int(e.to_integral_value(rounding=ROUND_FLOOR)) for e in exact]
    left = total_cents - sum(floors)
    by_remainder = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in by_remainder[:left]:
        floors[i] += 1
    return [euros(c) for c in floors]
