"""Reserving, releasing and handing out stock: the conditional UPDATEs every flow shares.

They run on the caller's transaction connection (a hot path: one statement each). A reservation
succeeds only while enough is available, so two callers racing for the last unit cannot both get it.
"""

from __future__ import annotations

from decimal import Decimal

from marketplace.inventory.availability import visible_to

_RESERVE = f"""
UPDATE stock_item s SET reserved = s.reserved + $3, updated_at = now()
WHERE s.dealer = $1 AND s.part = $2 AND s.on_hand - s.reserved >= $3 AND ($4 OR s.shared) AND {visible_to('$5')}
RETURNING s.transfer_price
"""
_RELEASE = """
UPDATE stock_item SET reserved = GREATEST(reserved - $3, 0), updated_at = now() WHERE dealer = $1 AND part = $2
"""
# The goods leave the dealer's shelf, and its reservation with them.
_TAKE_OUT = """
UPDATE stock_item SET on_hand = GREATEST(on_hand - $3, 0), reserved = GREATEST(reserved - $3, 0),
    last_movement_date = CURRENT_DATE, updated_at = now()
WHERE dealer = $1 AND part = $2
"""


async def reserve(connection, dealer_id: int, part_id: int, quantity: int, *, own: bool = False,
                  for_dealer: int | None = None) -> Decimal | None:
    """Reserve ``quantity`` if available; the row's transfer price, or None. Another dealer's
    stock must be shared; the dealer's ``own`` stock need not be. ``for_dealer``: the dealer asking
    (stock reserved for another tier is not available to it; see availability.py)."""
    row = await connection.fetchrow(_RESERVE, dealer_id, part_id, quantity, own, for_dealer)
    return None if row is None else row["transfer_price"]


async def release(connection, dealer_id: int, part_id: int, quantity: int) -> None:
    await connection.execute(_RELEASE, dealer_id, part_id, quantity)


async def take_out(connection, dealer_id: int, part_id: int, quantity: int) -> None:
    await connection.execute(_TAKE_OUT, dealer_id, part_id, quantity)
