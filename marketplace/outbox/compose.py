"""Turning an outbox message into an email: the outbox knows how a message is written and sent,
the domain that emits a topic knows what it says.

Each domain registers, at the app's wiring, a composer for the topics it mails: it reads what the
message is about and answers with a ``Letter`` (who to, which template, with what), or None when
there is nothing to tell any more. The outbox gives the letter its addresses, headers and text.

Bodies are Jinja2 templates in ``templates/mail/``: Italian first, the English text below it,
since nobody told us the reader's language. Subjects carry both, "Italian / English".
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.errors import MessageError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from marketplace.outbox.mail_format import MailFormat
from marketplace.settings import TEMPLATES_DIR, get_settings

# Not the pages' environment: mail is plain text (nothing to escape), and a misspelt field must
# fail the send (and be retried) instead of mailing a blank.
_environment = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR / "mail"),
    autoescape=False,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_SPACES = re.compile(r"\s+")
_GAPS = re.compile(r"\n{3,}")


class Undeliverable(Exception):
    """This message can never be sent (no such order, nobody to send it to): no point retrying."""


@dataclass(frozen=True, slots=True)
class Recipient:
    name: str
    email: str


@dataclass(frozen=True, slots=True)
class Attachment:
    content: bytes
    maintype: str
    subtype: str
    filename: str


@dataclass(frozen=True, slots=True)
class Letter:
    """What a domain wants said: ``templates/mail/<template>.txt`` filled with ``values``."""

    to: tuple[Recipient, ...]
    template: str
    values: dict[str, Any] = field(default_factory=dict)
    #: Where an answer goes; left out when its address is unusable (the letter goes all the same).
    reply_to: Recipient | None = None
    attachments: tuple[Attachment, ...] = ()


#: A topic's composer: (connection, topic, payload) -> the letter, or None when nothing is to be sent.
Composer = Callable[[Any, str, dict], Awaitable[Letter | None]]
_composers: dict[str, Composer] = {}


def register(topics: Iterable[str], composer: Composer) -> None:
    """Mail these topics with ``composer``; the app's wiring calls this once per domain (again is harmless)."""
    for topic in topics:
        if _composers.get(topic, composer) is not composer:
            raise ValueError(f"topic {topic!r} already has a composer")
        _composers[topic] = composer


def mail_topics() -> frozenset[str]:
    """Every topic that becomes an email; the others (``order.collected``, ``transfer.*``) send nothing."""
    return frozenset(_composers)


def _address(recipient: Recipient) -> Address:
    try:
        return Address(display_name=_SPACES.sub(" ", recipient.name).strip(), addr_spec=recipient.email.strip())
    except (ValueError, IndexError, MessageError) as error:  # the header parser's complaints
        raise Undeliverable(f"not a usable address: {recipient.email!r} ({error})") from error


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
    """The email for one outbox message, or None when its topic sends none or its subject has moved on."""
    composer = _composers.get(topic)
    if composer is None:
        return None
    letter = await composer(connection, topic, payload)
    if letter is None:
        return None
    if not letter.to:
        raise Undeliverable(f"nobody to send {topic} to")
    email = EmailMessage()
    email["To"] = [_address(recipient) for recipient in letter.to]
    if letter.reply_to is not None:
        try:
            email["Reply-To"] = _address(letter.reply_to)
        except Undeliverable:
            pass  # a courtesy: the letter must go all the same
    subject, body = render(letter.template, **letter.values)
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
    for attachment in letter.attachments:
        email.add_attachment(attachment.content, maintype=attachment.maintype, subtype=attachment.subtype,
                             filename=attachment.filename)
    return email
