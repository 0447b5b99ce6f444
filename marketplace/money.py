"""Money: Decimal euros with two places, parsed the way Italian and English exports write it."""

from __future__ import annotations

from decimal import Decimal

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")  # numeric(12, 2)


def parse_amount(text: str, field: str = "amount") -> Decimal:
    """``12.5``, ``12,50``, ``1.234,56`` or ``1,234.56`` -> ``Decimal``; ValueError naming the reason."""
    from marketplace.decimal_input import parse_decimal

    return parse_decimal(text, field, high=MAX_AMOUNT, grouping=True, currency=True)
