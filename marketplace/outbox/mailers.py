"""Sending one email: into a folder (the demo, development) or through an SMTP server.

Both sit behind one small interface so the deliverer neither knows nor cares which runs.
"""

from __future__ import annotations

import asyncio
import os
import smtplib
import ssl
from datetime import datetime, timezone
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Protocol

from marketplace.settings import MailSettings, get_settings

SMTP_TIMEOUT_SECONDS = 30


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> None:
        """Hand the message over, or raise: the caller keeps it for a later try."""


class MailFolder:
    """One ``.eml`` file per message, named so that sorting by name puts the newest last."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def send(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        now = datetime.now(timezone.utc)
        outbox_id = int(message.get("X-Outbox-Id", 0))
        name = f"{now:%Y%m%d-%H%M%S-%f}-{outbox_id:08d}.eml"
        # Written aside then renamed: the mail page never reads half a message.
        partial = self.folder / f".{name}.part"
        partial.write_bytes(message.as_bytes(policy=default_policy))
        os.replace(partial, self.folder / name)


class SmtpMailer:
    """Through an SMTP server; smtplib blocks, so each send runs in a worker thread."""

    def __init__(self, settings: MailSettings) -> None:
        if not settings.smtp_host:
            raise ValueError("no SMTP host configured")
        self.settings = settings

    async def send(self, message: EmailMessage) -> None:
        await asyncio.to_thread(self._send, message)

    def _send(self, message: EmailMessage) -> None:
        s = self.settings
        if s.smtp_tls == "ssl":
            server: smtplib.SMTP = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=SMTP_TIMEOUT_SECONDS,
                                                    context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=SMTP_TIMEOUT_SECONDS)
        with server:
            if s.smtp_tls == "starttls":
                server.starttls(context=ssl.create_default_context())
            if s.smtp_user:
                server.login(s.smtp_user, s.smtp_password)
            server.send_message(message)


def configured_mailer(settings: MailSettings | None = None) -> Mailer:
    """SMTP when ``MARKETPLACE_SMTP_HOST`` is set, else the mail folder."""
    settings = settings or get_settings().mail
    return SmtpMailer(settings) if settings.smtp_host else MailFolder(settings.folder)
