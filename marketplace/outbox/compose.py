"""Turning an outbox message into an email: who it goes to, its subject and its plain-text body.

Bodies are Jinja2 templates in ``templates/mail/``: Italian first, the English text below it,
since nobody told us the customer's language. Subjects carry both, "Italian / English".
"""

from __future__ import annotations

import io
import re
from datetime import datetime, timezone
from email.errors import MessageError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

import segno
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from marketplace.outbox.mail_format import MailFormat
from marketplace.outbox.order_facts import order_facts, store_recipients
from marketplace.settings import PROJECT_ROOT, get_settings

#: Messages to the customer, by topic: the template that writes them.
CUSTOMER_MAIL = {
    "order.placed": "order_placed",
    "order.ready": "order_ready",
    "order.reminder": "order_reminder",
    "order.cancelled": "order_cancelled",
    "order.expired": "order_expired",
}
#: Messages to the pickup point's staff.
STORE_MAIL = {"order.new": "order_new", "order.withdrawn": "order_withdrawn"}
#: A message read at delivery says what is true then: one whose order has moved on is not sent
#: (a "ready" mail after the order was collected, a reminder after it was cancelled).
STILL_TRUE = {
    "order.placed": {"placed", "ready_for_pickup"},
    "order.new": {"placed", "ready_for_pickup"},
    "order.ready": {"ready_for_pickup"},
    "order.reminder": {"ready_for_pickup"},
}
#: Messages that carry the pickup code: the QR code goes with them, as an attachment.
WITH_CODE = {"order.placed", "order.ready", "order.reminder"}
#: Every topic that becomes an email; the others (``order.collected``, ``transfer.*``) send nothing.
MAIL_TOPICS = frozenset(CUSTOMER_MAIL) | frozenset(STORE_MAIL)

_environment = Environment(
    loader=FileSystemLoader(PROJECT_ROOT / "templates" / "mail"),
    autoescape=False,  # plain text: nothing is HTML
    undefined=StrictUndefined,  # a misspelt field fails the send (and is retried) instead of mailing a blank
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_SPACES = re.compile(r"\s+")
_GAPS = re.compile(r"\n{3,}")


class Undeliverable(Exception):
    """This message can never be sent (no such order, nobody to send it to): no point retrying."""


def _address(name: str, email: str) -> Address:
    try:
        return Address(display_name=_SPACES.sub(" ", name).strip(), addr_spec=email.strip())
    except (ValueError, IndexError, MessageError) as error:  # the header parser's complaints
        raise Undeliverable(f"not a usable address: {email!r} ({error})") from error


def render(template_name: str, **values) -> tuple[str, str]:
    """(subject, body) of ``templates/mail/<template_name>.txt``."""
    template = _environment.get_template(f"{template_name}.txt")
    values = {"it": MailFormat("it"), "en": MailFormat("en"), **values}
    context = template.new_context(values)
    subject = " / ".join(
        _SPACES.sub(" ", "".join(template.blocks[block](context))).strip() for block in ("subject_it", "subject_en"))
    # Optional pieces (opening hours, transfers) leave gaps: one blank line between paragraphs.
    return subject, _GAPS.sub("\n\n", template.render(values))


async def compose(connection, message_id: int, topic: str, payload: dict) -> EmailMessage | None:
    """The email for one outbox message, or None when its topic sends none or its order has moved on."""
    if topic not in MAIL_TOPICS:
        return None
    order = await order_facts(connection, int(payload["order_id"]))
    if order is None:
        raise Undeliverable(f"no order {payload['order_id']}")
    if topic in STILL_TRUE and order["status"] not in STILL_TRUE[topic]:
        return None
    base_url = get_settings().base_url
    email = EmailMessage()
    if topic in CUSTOMER_MAIL:
        template = CUSTOMER_MAIL[topic]
        email["To"] = _address(order["customer_name"], order["customer_email"])
        link = f"{base_url}/shop/orders/{order['token']}"
    else:
        template = STORE_MAIL[topic]
        staff = await store_recipients(connection, order["point_dealer"])
        if not staff:
            raise Undeliverable(f"dealer {order['dealer_code']} has no active staff to tell")
        email["To"] = [_address(person["name"], person["email"]) for person in staff]
        # The clerk's answer (a question about the order) goes straight to the customer, when it can.
        try:
            email["Reply-To"] = _address(order["customer_name"], order["customer_email"])
        except Undeliverable:
            pass  # the store must hear of the order all the same
        link = f"{base_url}/pickup/orders/{order['id']}"
    subject, body = render(template, order=order, link=link)
    sender = get_settings().mail.sender
    email["From"] = sender
    email["Subject"] = subject
    email["Date"] = format_datetime(datetime.now(timezone.utc))
    # A domain given, or make_msgid asks the resolver for this host's name on every message.
    domain = parseaddr(sender)[1].partition("@")[2] or "localhost"
    email["Message-ID"] = make_msgid(f"outbox.{message_id}", domain=domain)
    email["Auto-Submitted"] = "auto-generated"
    email["X-Outbox-Id"] = str(message_id)
    email["X-Outbox-Topic"] = topic
    email.set_content(body)
    if topic in WITH_CODE:
        # For the counter's scanner; segno writes PNG itself (no imaging library).
        picture = io.BytesIO()
        segno.make(order["pickup_code"], error="m").save(picture, kind="png", scale=8, border=2)
        email.add_attachment(picture.getvalue(), maintype="image", subtype="png",
                             filename=f"codice-ritiro-{order['id']}.png")
    return email
