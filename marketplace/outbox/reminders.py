"""The reminder a day before a ready order's hold ends, emitted by the sweeper once per order.

"Once" is kept in the outbox itself (the orders' table is not the outbox's to change): an order has
been reminded when an ``order.reminder`` message names it. A unique partial index on
(topic, payload->>'order_id') makes that hold when several processes sweep at the same moment.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from marketplace.db import raw_connection

REMIND_BEFORE = timedelta(hours=24)

_REMIND = """
INSERT INTO outbox_message (topic, payload, created_at)
SELECT 'order.reminder', jsonb_build_object('order_id', o.id, 'to', 'customer'), $1
FROM customer_order o
WHERE o.status = 'ready_for_pickup' AND o.hold_until > $1 AND o.hold_until <= $1 + $2::interval
  AND NOT EXISTS (SELECT 1 FROM outbox_message m
                  WHERE m.topic = 'order.reminder' AND m.payload->>'order_id' = o.id::text)
ON CONFLICT (topic, (payload->>'order_id')) WHERE topic = 'order.reminder' DO NOTHING
RETURNING id
"""


async def emit_reminders(now: datetime | None = None) -> int:
    """Remind every ready order whose hold ends within a day and that has no reminder yet; how many."""
    async with raw_connection() as connection:
        return len(await connection.fetch(_REMIND, now or datetime.now(timezone.utc), REMIND_BEFORE))
