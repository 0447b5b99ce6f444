"""The lock that serializes approving a month with booking into it.

A booking takes the period's lock shared (bookings do not wait for each other), then reads the
month's status; approval takes it exclusively. So an approval waits for the bookings in flight
and then sees them, and a booking that comes after sees the month approved and goes to the next
open month. Transaction-scoped PostgreSQL advisory locks: released at commit or rollback.
"""

from __future__ import annotations

_SHARED = "SELECT pg_advisory_xact_lock_shared(hashtextextended('settlement-period:' || $1, 0))"
_EXCLUSIVE = "SELECT pg_advisory_xact_lock(hashtextextended('settlement-period:' || $1, 0))"


async def lock_period_shared(connection, period: str) -> None:
    """Held by a booking until its transaction ends; read the month's status after taking it."""
    await connection.execute(_SHARED, period)


async def lock_period_exclusive(connection, period: str) -> None:
    """Held by an approval until its transaction ends: no booking into the month meanwhile."""
    await connection.execute(_EXCLUSIVE, period)


_MONTHS = "SELECT pg_advisory_xact_lock(hashtextextended('settlement-months', 0))"


async def lock_settlement_months(connection) -> None:
    """One approval, export or payment record at a time across all months, taken before any
    period lock: which months are approved or paid is what each of them checks."""
    await connection.execute(_MONTHS)
