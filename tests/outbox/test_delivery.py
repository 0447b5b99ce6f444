"""Delivering the outbox: order messages become emails in the mail folder, failures wait and retry."""

import asyncio
from datetime import datetime, timedelta, timezone

import pytest

from marketplace.outbox.delivery import MAX_ATTEMPTS, deliver_pending
from marketplace.outbox.mailers import MailFolder
from marketplace.outbox.messages import emit
from marketplace.outbox.tables import OutboxMessage
from marketplace.pickup.lifecycle import cancel
from marketplace.settings import get_settings
from tests.matching.network import key_of
from tests.outbox.mail import FailingMailer, body, milano_staff, place, sent, stocked


def auth(key):
    return {"Authorization": f"Bearer {key}"}


async def test_a_placed_order_mails_the_customer_and_the_store(client, milano_point, tmp_path):
    await stocked()
    await milano_staff()
    placed = await place(client, milano_point, 2)
    report = await deliver_pending(MailFolder(tmp_path))
    assert (report.sent, report.failed, report.given_up) == (2, 0, 0)
    customer, store = sorted(sent(tmp_path), key=lambda m: m["X-Outbox-Topic"] != "order.placed")

    assert customer["To"].addresses[0].addr_spec == "mario@example.com"
    # The code stays out of the subject (notifications, server logs); the QR code goes as a picture.
    assert placed["pickup_code"] not in customer["Subject"] and "Ordine" in customer["Subject"]
    [qr] = [part for part in customer.iter_attachments()]
    assert qr.get_content_type() == "image/png" and qr.get_content().startswith(b"\x89PNG")
    text = body(customer)
    assert text.count(placed["pickup_code"]) == 2  # the Italian half, then the English one
    assert f"{get_settings().base_url}/shop/orders/{placed['token']}" in text
    assert "Ritiro Milano" in text and "24,00 €" in text and "€24.00" in text
    assert text.index("Gentile Mario Rossi") < text.index("Dear Mario Rossi")
    assert "Sarà pronto da " in text and "It will be ready from " in text  # the promised day

    assert sorted(a.addr_spec for a in store["To"].addresses) == ["counter@mi.example", "owner@mi.example"]
    assert store["Reply-To"].addresses[0].addr_spec == "mario@example.com"
    assert f"{get_settings().base_url}/pickup/orders/{placed['id']}" in body(store)
    assert "03L 115 562" in body(store)

    again = await deliver_pending(MailFolder(tmp_path))
    assert again.sent == 0 and len(sent(tmp_path)) == 2
    assert await OutboxMessage.count().where(OutboxMessage.delivered_at.is_null()) == 0


async def test_the_rest_of_the_lifecycle_is_mailed_and_topics_without_mail_are_only_marked(
        client, milano_point, tmp_path):
    await stocked()
    await milano_staff()
    staff = await key_of("MI")
    ready = await place(client, milano_point)
    cancelled = await place(client, milano_point)
    collected = await place(client, milano_point)
    await deliver_pending(MailFolder(tmp_path / "first"))
    assert (await client.post(f"/api/v1/orders/{ready['id']}/ready", headers=auth(staff))).status_code == 200
    assert (await client.post(f"/api/v1/orders/{cancelled['id']}/cancel", headers=auth(staff))).status_code == 200
    await client.post(f"/api/v1/orders/{collected['id']}/ready", headers=auth(staff))
    done = await client.post(f"/api/v1/orders/{collected['id']}/collect",
                             json={"pickup_code": collected["pickup_code"]}, headers=auth(staff))
    assert done.status_code == 200
    await emit("transfer.requested", {"transfer_id": 1, "from": None, "to": "requested"})

    report = await deliver_pending(MailFolder(tmp_path))
    topics = sorted(m["X-Outbox-Topic"] for m in sent(tmp_path))
    # Collected and transfer: nothing mailed; the collected order's "ready" is no longer true.
    assert topics == ["order.cancelled", "order.ready"]
    assert report.sent == 2 and report.nothing_to_send == 3
    assert await OutboxMessage.count().where(OutboxMessage.delivered_at.is_null()) == 0
    mail = {(m["X-Outbox-Topic"], m["To"].addresses[0].addr_spec, m["Subject"]) for m in sent(tmp_path)}
    subject = f"Ordine {cancelled['id']} annullato / Order {cancelled['id']} cancelled"
    assert ("order.cancelled", "mario@example.com", subject) in mail
    ready_mail = next(m for m in sent(tmp_path) if str(ready["id"]) in m["Subject"])
    assert "Ritiralo entro" in body(ready_mail) and ready["pickup_code"] in body(ready_mail)


async def test_a_failing_send_keeps_the_message_with_its_error_and_retries_later(client, milano_point, tmp_path):
    await stocked()
    await milano_staff()
    await place(client, milano_point)
    failing = FailingMailer()
    report = await deliver_pending(failing)
    assert (report.sent, report.failed) == (0, 1) and failing.tries == 1  # the server is down: the rest waits
    assert (await deliver_pending(failing)).failed == 1 and failing.tries == 2
    rows = await OutboxMessage.select().where(OutboxMessage.topic.is_in(["order.placed", "order.new"]))
    assert all(r["delivered_at"] is None and r["attempts"] == 1 and r["given_up_at"] is None for r in rows)
    assert all("the mail server is down" in r["last_error"] for r in rows)
    assert all(r["next_attempt_at"] > datetime.now(timezone.utc) for r in rows)

    assert (await deliver_pending(failing)).failed == 0  # not due again yet
    later = datetime.now(timezone.utc) + timedelta(hours=1)
    report = await deliver_pending(MailFolder(tmp_path), now=later)
    assert report.sent == 2 and len(sent(tmp_path)) == 2
    assert await OutboxMessage.count().where(OutboxMessage.delivered_at.is_null()) == 0


async def test_a_message_is_given_up_after_the_last_attempt_and_says_so(client, milano_point, caplog):
    await stocked()
    await milano_staff()
    await place(client, milano_point)
    await OutboxMessage.update({OutboxMessage.attempts: MAX_ATTEMPTS - 1}, force=True)
    assert (await deliver_pending(FailingMailer())).given_up == 1
    assert (await deliver_pending(FailingMailer())).given_up == 1
    rows = await OutboxMessage.select().where(OutboxMessage.topic.is_in(["order.placed", "order.new"]))
    assert all(r["given_up_at"] is not None and r["delivered_at"] is None and r["attempts"] == MAX_ATTEMPTS
               for r in rows)
    assert "gave up on outbox message" in caplog.text
    assert (await deliver_pending(FailingMailer())).given_up == 0  # never taken again


async def test_a_store_without_staff_is_given_up_at_once(client, milano_point, tmp_path):
    await stocked()
    await place(client, milano_point)
    report = await deliver_pending(MailFolder(tmp_path))
    assert (report.sent, report.given_up) == (1, 1)
    row = await OutboxMessage.select().where(OutboxMessage.topic == "order.new").first()
    assert row["given_up_at"] is not None and "no active staff" in row["last_error"]


async def test_processes_delivering_at_once_send_each_message_once(client, milano_point, tmp_path):
    await stocked()
    await milano_staff()
    for _ in range(4):
        await place(client, milano_point)
    reports = await asyncio.gather(*[deliver_pending(MailFolder(tmp_path)) for _ in range(4)])
    assert sum(r.sent for r in reports) == 8 and len(sent(tmp_path)) == 8
    assert len({m["X-Outbox-Id"] for m in sent(tmp_path)}) == 8


@pytest.mark.parametrize("address", ["x@y@z.it", "a b@example.com"])
async def test_an_unusable_address_is_given_up(client, milano_point, tmp_path, address):
    from marketplace.pickup.tables import CustomerOrder

    await stocked()
    await milano_staff()
    await place(client, milano_point)
    await CustomerOrder.update({CustomerOrder.customer_email: address}, force=True)
    report = await deliver_pending(MailFolder(tmp_path))
    assert (report.sent, report.given_up) == (1, 1)


async def test_a_broken_message_is_recorded_and_the_others_still_go(client, milano_point, tmp_path):
    await stocked()
    await milano_staff()
    await emit("order.placed", {"to": "customer"})  # no order id
    await emit("order.ready", {"order_id": 999, "to": "customer"})  # no such order
    await place(client, milano_point)
    report = await deliver_pending(MailFolder(tmp_path))
    assert (report.sent, report.failed, report.given_up) == (2, 1, 1)
    broken = await OutboxMessage.select().where(OutboxMessage.id == 1).first()
    assert broken["attempts"] == 1 and "KeyError" in broken["last_error"] and broken["given_up_at"] is None
    missing = await OutboxMessage.select().where(OutboxMessage.id == 2).first()
    assert missing["given_up_at"] is not None and missing["last_error"] == "no order 999"


async def test_a_customer_cancelling_tells_the_store(client, milano_point, tmp_path):
    await stocked()
    await milano_staff()
    placed = await place(client, milano_point)
    await deliver_pending(MailFolder(tmp_path / "first"))
    await cancel(None, placed["id"])
    await deliver_pending(MailFolder(tmp_path))
    mails = {m["X-Outbox-Topic"]: m for m in sent(tmp_path)}
    assert set(mails) == {"order.cancelled", "order.withdrawn"}
    assert "counter@mi.example" in {a.addr_spec for a in mails["order.withdrawn"]["To"].addresses}
    assert "non serve preparare nulla" in body(mails["order.withdrawn"])
