"""How a customer pays for an order. In this version at the counter, on collection; an online
payment provider comes later and takes the same place."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from marketplace.decimal_input import parse_decimal
from marketplace.errors import Invalid

MAX_COUNTER_AMOUNT = Decimal("9999999.99")


@dataclass(frozen=True, slots=True)
class Payment:
    method: str
    amount: Decimal


class PaymentMethod(Protocol):
    name: str

    def due_at_counter(self, total: Decimal) -> Decimal:
        """What the store takes from the customer on collection."""

    def take(self, total: Decimal, confirmed: Decimal | None) -> Payment:
        """The payment recorded at collection; ``confirmed`` is the amount the store says it took."""


class PayAtCounter:
    """The customer pays the whole total at the counter; the store confirms the amount."""

    name = "counter"

    def due_at_counter(self, total: Decimal) -> Decimal:
        return total

    def take(self, total: Decimal, confirmed: Decimal | None) -> Payment:
        if confirmed is not None and confirmed != total:
            raise Invalid(f"the order's total is {total}: take exactly that amount", "amount", total=str(total))
        return Payment(self.name, total)


#: The one method of this version.
PAYMENT: PaymentMethod = PayAtCounter()


def amount_from_text(text: str | None) -> Decimal | None:
    """An amount typed at the counter ("24,00" or "24.00"); None when left empty."""
    if text is None or not text.strip():
        return None
    return parse_decimal(text, "amount", high=MAX_COUNTER_AMOUNT, currency=True)
