"""Webhook endpoints and deliveries at the API's edge."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec


class WebhookIn(msgspec.Struct, forbid_unknown_fields=True):
    url: Annotated[str, msgspec.Meta(max_length=2000)]
    events: Annotated[list[Annotated[str, msgspec.Meta(max_length=64)]], msgspec.Meta(max_length=50)]
    description: Annotated[str, msgspec.Meta(max_length=500)] = ""


class WebhookCreatedOut(msgspec.Struct):
    """The secret is in this answer only: keep it (``POST .../rotate-secret`` gives a new one)."""

    id: int
    url: str
    events: list[str]
    secret: str


class WebhookOut(msgspec.Struct):
    id: int
    url: str
    events: list[str]
    description: str
    dealer_code: str | None
    created_at: datetime
    disabled_at: datetime | None
    disabled_reason: str
    pending: int
    failing: int

    @classmethod
    def of(cls, row: dict) -> WebhookOut:
        return cls(**{name: row[name] for name in cls.__struct_fields__})


class DeliveryOut(msgspec.Struct):
    id: int
    webhook_id: str  # the ``webhook-id`` header it is sent with
    type: str
    state: str  # pending, retrying, delivered, failed
    created_at: datetime
    attempts: int
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    given_up_at: datetime | None
    last_status: int | None
    last_error: str

    @classmethod
    def of(cls, row: dict) -> DeliveryOut:
        return cls(webhook_id=f"msg_{row['message_id']}", **{
            name: row[name] for name in cls.__struct_fields__ if name != "webhook_id"})


class DeliveryPage(msgspec.Struct):
    items: list[DeliveryOut]
