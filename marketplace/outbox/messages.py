"""Putting a message in the outbox, inside the caller's transaction."""

from __future__ import annotations

from marketplace.outbox.tables import OutboxMessage


async def emit(topic: str, payload: dict) -> None:
    """Record a message; it is sent only if the surrounding transaction commits."""
    await OutboxMessage.insert(OutboxMessage(topic=topic, payload=payload))
