"""Messages to send later (notifications, webhooks), written in the transaction that caused them."""

from piccolo.columns import JSONB, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class OutboxMessage(Table):
    topic = Varchar(length=64, index=True)
    payload = JSONB(default={})
    created_at = Timestamptz(default=TimestamptzNow())
    # Handled: sent, or nothing to send for its topic (order.collected, transfer.*).
    delivered_at = Timestamptz(null=True, default=None)
    # Failed sends: the message waits until next_attempt_at, and is given up after too many.
    attempts = Integer(default=0)
    last_error = Text(default="")
    next_attempt_at = Timestamptz(null=True, default=None)
    given_up_at = Timestamptz(null=True, default=None)
