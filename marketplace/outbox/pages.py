"""The managers' view of the mail folder: what the network sent (in the demo, instead of sending it),
and the messages that could not be sent."""

from __future__ import annotations

import asyncio

from litestar import Controller, Request, get
from litestar.response import Template

from marketplace.accounts.auth import manager_only
from marketplace.outbox.delivery import pending_count, troubled
from marketplace.outbox.mailbox import list_mail, read_mail
from marketplace.pagination import page_number
from marketplace.settings import get_settings
from marketplace.web.render import page


class MailPages(Controller):
    path = "/network/mail"
    guards = [manager_only]
    include_in_schema = False

    @get("/")
    async def index(self, request: Request) -> Template:
        mail = get_settings().mail
        # Reading files blocks: kept off the event loop like the SMTP sends.
        messages = await asyncio.to_thread(list_mail, mail.folder, page_number(request.query_params.get("page")))
        return page(request, "outbox/mail.html", messages=messages, folder=str(mail.folder), smtp_host=mail.smtp_host,
                    pending=await pending_count(), troubled=await troubled())

    @get("/{name:str}")
    async def message(self, request: Request, name: str) -> Template:
        mail = await asyncio.to_thread(read_mail, get_settings().mail.folder, name)
        return page(request, "outbox/message.html", mail=mail)
