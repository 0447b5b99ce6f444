"""Reading the mail folder back, for the managers' page: what the demo "sent", newest first."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from email.utils import parsedate_to_datetime
from pathlib import Path

from marketplace.errors import NotFound
from marketplace.pagination import Page

# The names MailFolder writes: nothing else in the folder (or outside it) is ever opened.
_NAME = re.compile(r"^[0-9]{8}-[0-9]{6}-[0-9]{6}-[0-9]{8}\.eml$")
PER_PAGE = 25


@dataclass(frozen=True, slots=True)
class Mail:
    name: str
    sender: str
    to: str
    subject: str
    date: datetime | None
    topic: str
    body: str = ""


def _date(value: str | None) -> datetime | None:
    try:
        return parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError):
        return None


def _mail(name: str, message, body: str = "") -> Mail:
    return Mail(name=name, sender=str(message.get("From", "")), to=str(message.get("To", "")),
                subject=str(message.get("Subject", "")), date=_date(message.get("Date")),
                topic=str(message.get("X-Outbox-Topic", "")), body=body)


def list_mail(folder: Path, page: int = 1, per_page: int = PER_PAGE) -> Page[Mail]:
    """One page of the folder's messages, newest first (the names sort by the time they were written)."""
    names = sorted((p.name for p in folder.glob("*.eml") if _NAME.match(p.name)), reverse=True)
    result: Page[Mail] = Page([], len(names), page, per_page)
    parser = BytesHeaderParser(policy=default_policy)
    items = []
    for name in names[result.offset:result.offset + per_page]:
        with (folder / name).open("rb") as file:
            items.append(_mail(name, parser.parse(file)))
    return Page(items, len(names), page, per_page)


def read_mail(folder: Path, name: str) -> Mail:
    """One message with its plain-text body; NotFound for any name MailFolder would not have written."""
    path = folder / name
    if not _NAME.match(name) or not path.is_file():
        raise NotFound(f"no message {name}", "name")
    message: EmailMessage = message_from_bytes(path.read_bytes(), policy=default_policy)  # type: ignore[assignment]
    part = message.get_body(preferencelist=("plain",))
    return _mail(name, message, part.get_content() if part is not None else "")
