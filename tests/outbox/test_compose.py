"""The outbox is generic: a domain registers what its topics say, the outbox writes and sends them."""

from datetime import datetime, timezone

import asyncpg
import pytest

from marketplace.outbox import compose
from marketplace.outbox.compose import Attachment, Letter, Recipient
from marketplace.outbox.delivery import deliver_pending
from marketplace.outbox.mailers import MailFolder
from marketplace.outbox.messages import emit, emit_once
from marketplace.outbox.tables import OutboxMessage
from marketplace.wiring import connect_domains
from tests.outbox.mail import body, sent


async def _hello(connection, topic: str, payload: dict) -> Letter | None:
    if payload.get("stale"):
        return None
    return Letter(to=(Recipient("Anna  Bianchi", "anna@example.com"),), template="order_withdrawn",
                  values={"order": {"id": payload["n"], "point_name": "Ritiro Milano", "customer_name": "Anna"},
                          "link": "https://example.com/7"},
                  reply_to=Recipient("nobody", "not an address"),
                  attachments=(Attachment(b"hello", "text", "plain", "hello.txt"),))


@pytest.fixture
def hello_topic(monkeypatch):
    monkeypatch.setattr(compose, "_composers", dict(compose._composers))
    compose.register(["test.hello"], _hello)


async def test_a_registered_topic_is_mailed_with_the_outboxs_headers(hello_topic, tmp_path):
    await emit("test.hello", {"n": 7})
    await emit("test.hello", {"n": 8, "stale": True})
    await emit("test.unknown", {"n": 9})
    report = await deliver_pending(MailFolder(tmp_path))
    assert (report.sent, report.nothing_to_send, report.given_up) == (1, 2, 0)
    [mail] = sent(tmp_path)
    assert str(mail["To"]) == "Anna Bianchi <anna@example.com>"
    assert mail["Reply-To"] is None  # unusable: left out, the letter goes all the same
    assert mail["X-Outbox-Topic"] == "test.hello" and mail["Auto-Submitted"] == "auto-generated"
    assert "7" in mail["Subject"] and "Ritiro Milano" in body(mail)
    assert [a.get_filename() for a in mail.iter_attachments()] == ["hello.txt"]
    assert await OutboxMessage.count().where(OutboxMessage.delivered_at.is_null()) == 0


def test_a_topic_has_one_composer(hello_topic):
    compose.register(["test.hello"], _hello)  # the same again: harmless
    with pytest.raises(ValueError, match="test.hello"):
        compose.register(["test.hello"], lambda connection, topic, payload: None)


async def test_delivery_without_wiring_refuses_instead_of_dropping_the_mail(monkeypatch, tmp_path):
    monkeypatch.setattr(compose, "_composers", {})
    await emit("order.placed", {"order_id": 1, "to": "customer"})
    with pytest.raises(RuntimeError, match="connect_domains"):
        await deliver_pending(MailFolder(tmp_path))
    assert await OutboxMessage.count().where(OutboxMessage.delivered_at.is_null()) == 1
    connect_domains()
    assert "order.placed" in compose.mail_topics()


async def test_emit_once_needs_a_unique_index_for_its_topic():
    now = datetime.now(timezone.utc)
    assert await emit_once("order.reminder", "order_id", [{"order_id": 1}, {"order_id": 2}], now) == 2
    assert await emit_once("order.reminder", "order_id", [{"order_id": 2}, {"order_id": 3}], now) == 1
    with pytest.raises(asyncpg.InvalidColumnReferenceError):  # no index keeps order.placed once
        await emit_once("order.placed", "order_id", [{"order_id": 1}], now)
    with pytest.raises(ValueError):
        await emit_once("order.reminder", "order_id'; DROP TABLE outbox_message; --", [{"order_id": 1}], now)
