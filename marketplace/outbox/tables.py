"""Messages to send later (notifications, webhooks), written in the transaction that caused them."""

from piccolo.columns import JSONB, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class OutboxMessage(Table):
    topic = Varchar(length=64, index=True)
    payload = JSONB(default={})
    created_at = Timestamptz(default=TimestamptzNow())
    delivered_at = Timestamptz(null=True, default=None)
