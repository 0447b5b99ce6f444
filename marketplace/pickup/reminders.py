"""The reminder a day before a ready order's hold ends, emitted by the sweeper once per order.

"Once" is kept by the outbox (the orders' table is not changed for it): an order has been reminded
when an ``order.reminder`` message names it, and the outbox's unique index on
(topic, payload->>'order_id') makes that hold when several processes sweep at the same moment.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from marketplace.db import raw_connection
from marketplace.outbox.messages import emit_once

REMIND_BEFORE = timedelta(hours=24)

_ENDING_SOON = """
SELECT id FROM customer_order
WHERE status = 'ready_for_pickup' AND hold_until > $1 AND hold_until <= $1 + $2::interval
ORDER BY id
"""


async def emit_reminders(now: datetime | None = None) -> int:
    """Remind every ready order whose hold ends within a day and that has no reminder yet; how many."""
    now = now or datetime.now(timezone.utc)
    async with raw_connection() as connection:
        ending = await connection.fetch(_ENDING_SOON, now, REMIND_BEFORE)
    payloads = [{"order_id": row["id"], "to": "customer"} for row in ending]
    return await emit_once("order.reminder", "order_id", payloads, now)
