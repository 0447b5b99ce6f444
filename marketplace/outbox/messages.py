"""Putting a message in the outbox, inside the caller's transaction.

Delivery happens later and elsewhere (``marketplace.outbox.delivery``, run by the sweeper), so a
slow or broken mail server never holds up, nor rolls back, the change that caused the message.
"""

from __future__ import annotations

import json
import re
from datetime import datetime

from marketplace.db import raw_connection
from marketplace.outbox.tables import OutboxMessage

_NAME = re.compile(r"^[a-z_.]+$")

# Topic and key are written into the statement (both checked against _NAME, both the code's own
# names): the partial unique index that backs "once" is used only for a topic known when planning.
_EMIT_ONCE = """
INSERT INTO outbox_message (topic, payload, created_at)
SELECT '{topic}', p.payload::jsonb, $2 FROM unnest($1::text[]) AS p(payload)
WHERE NOT EXISTS (SELECT 1 FROM outbox_message m
                  WHERE m.topic = '{topic}' AND m.payload->>'{key}' = p.payload::jsonb->>'{key}')
ON CONFLICT (topic, (payload->>'{key}')) WHERE topic = '{topic}' DO NOTHING
RETURNING id
"""


async def emit(topic: str, payload: dict) -> None:
    """Record a message; it is sent only if the surrounding transaction commits."""
    await OutboxMessage.insert(OutboxMessage(topic=topic, payload=payload))


async def emit_once(topic: str, key: str, payloads: list[dict], now: datetime) -> int:
    """Record a message per payload unless one of this topic already has the same ``key``; how many
    were new. Several processes may do this at once: a unique index on (topic, payload->>key) for
    this topic (in migrations/outbox) keeps it once, and without one this fails instead of repeating."""
    if not (_NAME.match(topic) and _NAME.match(key)):
        raise ValueError(f"not a topic and key the outbox writes into SQL: {topic!r}, {key!r}")
    if not payloads:
        return 0
    statement = _EMIT_ONCE.format(topic=topic, key=key)
    async with raw_connection() as connection:
        return len(await connection.fetch(statement, [json.dumps(p) for p in payloads], now))
