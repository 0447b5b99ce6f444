"""Putting a message in the outbox, inside the caller's transaction.

Delivery happens later and elsewhere (``marketplace.outbox.delivery``, run by the sweeper), so a
slow or broken mail server never holds up, nor rolls back, the change that caused the message.
"""

from __future__ import annotations

from marketplace.outbox.tables import OutboxMessage


async def emit(topic: str, payload: dict) -> None:
    """Record a message; it is sent only if the surrounding transaction commits."""
    await OutboxMessage.insert(OutboxMessage(topic=topic, payload=payload))
