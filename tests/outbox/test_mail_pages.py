"""The managers' mail page: the folder newest first, each message readable; nobody else's."""

from dataclasses import replace

import pytest

from marketplace.outbox import pages
from marketplace.outbox.delivery import deliver_pending
from marketplace.outbox.mailbox import list_mail
from marketplace.outbox.mailers import MailFolder
from marketplace.outbox.tables import OutboxMessage
from marketplace.settings import get_settings
from tests.outbox.mail import FailingMailer, milano_staff, place, stocked


@pytest.fixture
def folder(tmp_path, monkeypatch):
    settings = get_settings()
    monkeypatch.setattr(pages, "get_settings", lambda: replace(settings, mail=replace(settings.mail, folder=tmp_path)))
    return tmp_path


async def test_managers_read_the_mail_folder_newest_first(manager, milano_point, folder):
    await stocked()
    await milano_staff()
    first = await place(manager, milano_point)
    await deliver_pending(MailFolder(folder))
    second = await place(manager, milano_point)
    await deliver_pending(MailFolder(folder))

    index = await manager.get("/network/mail")
    assert index.status_code == 200
    assert index.text.index(f"Ordine {second['id']} ricevuto") < index.text.index(f"Ordine {first['id']} ricevuto")
    assert "mario@example.com" in index.text and "counter@mi.example" in index.text

    newest = list_mail(folder).items
    assert len(newest) == 4
    name = next(m.name for m in newest if m.topic == "order.placed")
    message = await manager.get(f"/network/mail/{name}")
    assert message.status_code == 200
    assert second["pickup_code"] in message.text and f"/shop/orders/{second['token']}" in message.text
    assert "noreply@localhost" in message.text and "mario@example.com" in message.text

    assert (await manager.get("/network/mail/secret_key")).status_code == 404
    assert (await manager.get("/network/mail/..%2Fsecret_key")).status_code == 404


async def test_the_folder_is_paginated(manager, folder):
    for _ in range(30):
        await MailFolder(folder).send(_message())
    assert list_mail(folder).pages == 2 and len(list_mail(folder, 2).items) == 5
    second = await manager.get("/network/mail?page=2")
    assert second.status_code == 200 and second.text.count("/network/mail/2") == 5


async def test_messages_that_could_not_be_sent_are_shown(manager, milano_point, folder):
    await stocked()
    await milano_staff()
    await place(manager, milano_point)
    await deliver_pending(FailingMailer())
    await deliver_pending(FailingMailer())
    page = await manager.get("/network/mail")
    assert "the mail server is down" in page.text and "order.placed" in page.text
    assert await OutboxMessage.count().where(OutboxMessage.attempts == 1) == 2


async def test_dealers_may_not_read_the_mail_and_strangers_sign_in_first(client, clerk):
    assert (await clerk.get("/network/mail")).status_code == 403
    client.cookies.clear()
    anonymous = await client.get("/network/mail")
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")


def _message():
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@example.com", "b@example.com", "hello"
    message.set_content("hi")
    return message
