"""What an order's emails say and who gets them: the outbox's composer for the ``order.*`` topics.

Registered with the outbox by the app's wiring (marketplace/wiring.py); the outbox adds the
headers and sends. Templates are ``templates/mail/order_*.txt``.
"""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import segno

from marketplace.outbox.compose import Attachment, Letter, Recipient, Undeliverable
from marketplace.pickup.lifecycle import confirm_minutes
from marketplace.pickup.order_facts import order_facts
from marketplace.pickup.order_facts import store_recipients as staff_of
from marketplace.pickup.urls import confirm_order_url, counter_order_url, customer_order_url

#: Messages to the customer, by topic: the template that writes them.
CUSTOMER_MAIL = {
    "order.placed": "order_placed",
    "order.ready": "order_ready",
    "order.reminder": "order_reminder",
    "order.cancelled": "order_cancelled",
    "order.expired": "order_expired",
    "order.lapsed": "order_lapsed",
    "order.delayed": "order_delayed",  # a line passed to another dealer moved the promised day
}
#: Messages to the pickup point's staff.
STORE_MAIL = {"order.new": "order_new", "order.withdrawn": "order_withdrawn"}
#: A message read at delivery says what is true then: one whose order has moved on is not sent
#: (a "ready" mail after the order was collected, a reminder after it was cancelled).
STILL_TRUE = {
    "order.placed": {"unconfirmed", "placed", "ready_for_pickup"},
    "order.new": {"placed", "ready_for_pickup"},
    "order.ready": {"ready_for_pickup"},
    "order.reminder": {"ready_for_pickup"},
    "order.delayed": {"placed"},
}
#: Messages that carry the pickup code: the QR code goes with them, as an attachment.
WITH_CODE = {"order.placed", "order.ready", "order.reminder"}
#: Every order topic that becomes an email; ``order.collected`` sends nothing.
ORDER_MAIL_TOPICS = frozenset(CUSTOMER_MAIL) | frozenset(STORE_MAIL)


#: (connection, dealer id, topic) -> who at the dealer is told: the wiring may give the notifications'
#: (the dealer's address and its people's preferences); by default the dealer's active staff.
StoreRecipients = Callable[[Any, int, str], Awaitable[Sequence[Recipient]]]


async def compose_order_mail(connection, topic: str, payload: dict,
                             store_recipients: StoreRecipients | None = None) -> Letter | None:
    """The letter for one order message, or None when its order has moved on."""
    order = await order_facts(connection, int(payload["order_id"]))
    if order is None:
        raise Undeliverable(f"no order {payload['order_id']}")
    if topic in STILL_TRUE and order["status"] not in STILL_TRUE[topic]:
        return None
    customer = Recipient(order["customer_name"], order["customer_email"])
    attachments = (_code_picture(order),) if topic in WITH_CODE else ()
    if topic in CUSTOMER_MAIL:
        values = {"order": order, "link": customer_order_url(order["token"])}
        if order["status"] == "unconfirmed" and order["confirm_token"]:
            # The link that confirms the order: only in the customer's mail, so confirming proves the address.
            values["confirm_link"] = confirm_order_url(order["confirm_token"])
            values["confirm_minutes"] = confirm_minutes(order)
        return Letter(to=(customer,), template=CUSTOMER_MAIL[topic], attachments=attachments, values=values)
    if store_recipients is not None:
        to = tuple(await store_recipients(connection, order["point_dealer"], topic))
    else:
        to = tuple(Recipient(person["name"], person["email"]) for person in await staff_of(connection, order["point_dealer"]))
    if not to:
        raise Undeliverable(f"dealer {order['dealer_code']} has no active staff to tell")
    # The clerk's answer (a question about the order) goes straight to the customer, when it can.
    return Letter(to=to,
                  template=STORE_MAIL[topic], reply_to=customer, attachments=attachments,
                  values={"order": order, "link": counter_order_url(order["id"])})


def _code_picture(order: dict) -> Attachment:
    """The pickup code as a QR code, for the counter's scanner; segno writes PNG itself (no imaging library)."""
    picture = io.BytesIO()
    segno.make(order["pickup_code"], error="m").save(picture, kind="png", scale=8, border=2)
    return Attachment(picture.getvalue(), "image", "png", f"codice-ritiro-{order['id']}.png")
