"""Money: Decimal euros with two places, parsed the way Italian and English exports write it."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")  # numeric(12, 2)


def parse_amount(text: str) -> Decimal:
    """``12.5``, ``12,50``, ``1.234,56`` or ``1,234.56`` -> ``Decimal``; ValueError naming the reason."""
    text = text.strip().replace("€", "").replace("EUR", "").replace(" ", "")
    if not text:
        raise ValueError("empty amount")
    if "," in text and "." in text:
        thousands = "." if text.rfind(",") > text.rfind(".") else ","
        text = text.replace(thousands, "")
    text = text.replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not an amount")
    if not amount.is_finite():
        raise ValueError(f"{text!r} is not an amount")
    if amount < 0:
        raise ValueError("a negative amount")
    if amount != amount.quantize(CENT):
        raise ValueError("more than two decimals")
    if amount > MAX_AMOUNT:
        raise ValueError("too large an amount")
    return amount.quantize(CENT)
