"""How many orders one customer may place: anyone can order without an account, and every
order reserves stock and a slot of a store's day until it is collected, cancelled or expires."""

from __future__ import annotations

from datetime import datetime, timedelta

from marketplace.errors import TooManyAttempts
from marketplace.pickup.tables import CustomerOrder

ORDERS_PER_EMAIL_PER_DAY = 20
ORDERS_PER_ADDRESS_PER_HOUR = 60  # one shop's or one office's network address places many


async def check_order_rate(connection, email: str, client_ip: str | None, now: datetime) -> None:
    """TooManyAttempts (429) when this email address or network address has ordered too often.
    Run in the order's transaction: the locks make concurrent orders from one customer count one
    after another (always the email's lock first, then the address's)."""
    await connection.execute("SELECT pg_advisory_xact_lock(hashtext('order-email:' || $1))", email)
    if client_ip:
        await connection.execute("SELECT pg_advisory_xact_lock(hashtext('order-address:' || $1))", client_ip)
    recent = await CustomerOrder.count().where(
        (CustomerOrder.customer_email == email) & (CustomerOrder.created_at > now - timedelta(days=1)))
    if recent >= ORDERS_PER_EMAIL_PER_DAY:
        raise TooManyAttempts("too many orders for this email address today: call the store", "customer.email")
    if client_ip:
        recent = await CustomerOrder.count().where(
            (CustomerOrder.placed_from == client_ip) & (CustomerOrder.created_at > now - timedelta(hours=1)))
        if recent >= ORDERS_PER_ADDRESS_PER_HOUR:
            raise TooManyAttempts("too many orders from this network address: try again in an hour", "customer")
