"""Phone orders a dealer logs in one click from the search page (pulse owns the record)."""

from __future__ import annotations

from marketplace.db import raw_connection
from marketplace.errors import Invalid
from marketplace.inventory.normalize import normalize_part_number

MAX_NUMBER = 64


async def log_phone_order(dealer_id: int, user_id: int | None, number: str = "") -> int:
    """Record one part line the dealer ordered from another dealer by phone; its id."""
    normalized = normalize_part_number(number or "")
    if len(normalized) > MAX_NUMBER:
        raise Invalid(f"a part number has at most {MAX_NUMBER} characters", "number")
    async with raw_connection() as connection:
        return await connection.fetchval(
            'INSERT INTO phone_order (dealer, "user", number) VALUES ($1, $2, $3) RETURNING id',
            dealer_id, user_id, normalized)


async def phone_orders_today(dealer_id: int) -> int:
    """How many the dealer logged today (Rome), shown beside the button."""
    async with raw_connection() as connection:
        return await connection.fetchval(
            "SELECT count(*)::int FROM phone_order WHERE dealer = $1"
            " AND at >= date_trunc('day', now() AT TIME ZONE 'Europe/Rome') AT TIME ZONE 'Europe/Rome'", dealer_id)
