"""Webhook endpoints of dealers and of the network, the events fanned out to them, and every try.

Written only by this domain (endpoints.py, fanout.py, delivery.py); the migration in
migrations/webhooks holds the constraints.
"""

from piccolo.columns import JSONB, BigInt, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from marketplace.network.tables import Dealer


class WebhookEndpoint(Table):
    # A dealer's endpoint hears of that dealer's events only; the network's (no dealer) of all.
    dealer = ForeignKey(references=Dealer, null=True, default=None, on_delete=OnDelete.cascade)
    url = Text()
    events = JSONB(default=[])
    description = Text(default="")
    # The signing secret is derived from the app's secret key and this salt (signing.py): never stored.
    secret_salt = Varchar(length=64)
    # After a rotation the old secret also signs for a day, so a receiver can switch without a gap.
    previous_salt = Varchar(length=64, null=True, default=None)
    previous_until = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    created_by = Varchar(length=300, default="")
    disabled_at = Timestamptz(null=True, default=None)
    disabled_reason = Text(default="")


class WebhookMessage(Table):
    """One outbox message seen by the fan-out: the body every endpoint gets (None when nobody listened)."""

    message_id = BigInt(unique=True)
    type = Varchar(length=64)
    body = Text(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class WebhookDelivery(Table):
    endpoint = ForeignKey(references=WebhookEndpoint, on_delete=OnDelete.cascade, index=True)
    message_id = BigInt()
    type = Varchar(length=64)
    created_at = Timestamptz(default=TimestamptzNow())
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(null=True, default=None)
    delivered_at = Timestamptz(null=True, default=None)
    given_up_at = Timestamptz(null=True, default=None)
    last_status = Integer(null=True, default=None)
    last_error = Text(default="")


class WebhookAttempt(Table):
    delivery = ForeignKey(references=WebhookDelivery, on_delete=OnDelete.cascade, index=True)
    at = Timestamptz(default=TimestamptzNow())
    status = Integer(null=True, default=None)  # the HTTP status; None when no answer came
    error = Text(default="")
    duration_ms = Integer(default=0)
