"""How much one customer may order: anyone can order without an account, and every order reserves
stock and a slot of a store's day until it is collected, cancelled or expires.

- how many orders one email address or network address places (a rate);
- a customer whose orders twice expired uncollected in 90 days orders online no more (refused:
  the shop has no second channel, such as a phone code, to check them with; the store still can);
- how much of a part one customer holds: at most a share (a network setting) of what the
  network could sell of it, so one customer cannot take a whole part off the shelves.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from marketplace.errors import Conflict, Forbidden, TooManyAttempts
from marketplace.inventory.availability import network_available
from marketplace.pickup.tables import CustomerOrder

if TYPE_CHECKING:
    from marketplace.pickup.quotes import CartLine

ORDERS_PER_EMAIL_PER_DAY = 20
ORDERS_PER_ADDRESS_PER_HOUR = 60  # one shop's or one office's network address places many
EXPIRED_STRIKES = 2
STRIKE_DAYS = 90
#: An order holding stock: waiting for the customer's confirmation, to prepare, on the shelf.
OPEN_STATUSES = ("unconfirmed", "placed", "ready_for_pickup")


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


# Confirmed orders that expired uncollected (an unconfirmed one that lapsed held its stock for
# minutes only, and is not counted); an expired order changes no more, so updated_at is its expiry.
_STRIKES = """
SELECT count(*) FROM customer_order
WHERE customer_email = $1 AND status = 'expired' AND confirmed_at IS NOT NULL AND updated_at > $2
"""


async def check_history(connection, email: str, now: datetime) -> None:
    """Forbidden (403) when the customer's orders expired uncollected twice in the last 90 days."""
    strikes = await connection.fetchval(_STRIKES, email, now - timedelta(days=STRIKE_DAYS))
    if strikes >= EXPIRED_STRIKES:
        raise Forbidden(f"{strikes} orders for this email address were not collected in the last {STRIKE_DAYS} "
                        "days: online orders are closed for it, order at a store", "customer.email",
                        reason="uncollected")


_HELD = """
SELECT l.part, sum(l.quantity)::int AS held
FROM order_line l JOIN customer_order o ON o.id = l."order"
WHERE o.{who} = $1 AND o.status = ANY($2::text[]) AND l.part = ANY($3::int[])
GROUP BY l.part
"""
_HELD_BY = {"customer.email": _HELD.format(who="customer_email"), "customer": _HELD.format(who="placed_from")}


def most_one_may_hold(pool: int, share_pct: Decimal) -> int:
    """The units of a part one customer may hold of ``pool`` (what the network could sell of it,
    the customer's own open orders included): the share, rounded down, and always at least one,
    so the last unit of a rare part can still be sold."""
    return max(1, int(pool * share_pct / 100))


async def check_share(connection, email: str, client_ip: str | None, lines: Sequence[CartLine],
                      share_pct: Decimal) -> None:
    """Conflict (409) naming the part when this order would leave the email address or the network
    address holding more than ``share_pct`` of the part's network availability. Run after
    :func:`check_order_rate`, under its locks: one customer's orders are counted one at a time."""
    parts = [line.part_id for line in lines]
    available = await network_available(connection, parts)
    for field, who in (("customer.email", email), ("customer", client_ip)):
        if not who:
            continue
        held = {r["part"]: r["held"] for r in await connection.fetch(_HELD_BY[field], who, list(OPEN_STATUSES), parts)}
        for line in lines:
            if line.quantity > available.get(line.part_id, 0):
                continue  # the network cannot fill it anyway: the reservation says what is available
            mine = held.get(line.part_id, 0)
            most = most_one_may_hold(available.get(line.part_id, 0) + mine, share_pct)
            if mine + line.quantity > most:
                raise Conflict(
                    f"{line.part_number}: one customer may hold at most {most} of the network's units "
                    f"({share_pct}%); {mine} already in open orders, {line.quantity} asked", "items",
                    part_number=line.part_number, share_limit=max(0, most - mine))
