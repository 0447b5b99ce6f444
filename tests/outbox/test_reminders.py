"""The reminder a day before a ready order's hold ends: once per order, whoever sweeps."""

import asyncio
from datetime import datetime, timedelta, timezone

import asyncpg
import pytest

from marketplace.outbox.delivery import deliver_pending
from marketplace.outbox.mailers import MailFolder
from marketplace.outbox.messages import emit
from marketplace.outbox.tables import OutboxMessage
from marketplace.pickup.reminders import emit_reminders
from marketplace.pickup.tables import CustomerOrder
from marketplace.sweeper import sweep_once
from tests.matching.network import key_of
from tests.outbox.mail import body, milano_staff, place, sent, stocked


async def ready_order(client, point: int, hold: timedelta) -> dict:
    placed = await place(client, point)
    staff = await key_of("MI")
    response = await client.post(f"/api/v1/orders/{placed['id']}/ready", headers={"Authorization": f"Bearer {staff}"})
    assert response.status_code == 200
    await CustomerOrder.update({CustomerOrder.hold_until: datetime.now(timezone.utc) + hold}).where(
        CustomerOrder.id == placed["id"])
    return placed


async def reminders() -> list[int]:
    rows = await OutboxMessage.select(OutboxMessage.payload).where(OutboxMessage.topic == "order.reminder").output(
        load_json=True)
    return sorted(r["payload"]["order_id"] for r in rows)


async def test_an_order_about_to_expire_is_reminded_once(client, milano_point, tmp_path):
    await stocked()
    await milano_staff()
    soon = await ready_order(client, milano_point, timedelta(hours=20))
    await ready_order(client, milano_point, timedelta(days=3))  # not yet
    await place(client, milano_point)  # not ready: no hold
    assert await emit_reminders() == 1
    assert await emit_reminders() == 0
    assert await reminders() == [soon["id"]]

    await deliver_pending(MailFolder(tmp_path))
    reminder = next(m for m in sent(tmp_path) if m["X-Outbox-Topic"] == "order.reminder")
    assert reminder["Subject"].startswith(f"Promemoria: ritira l'ordine {soon['id']} entro")
    assert soon["pickup_code"] in body(reminder) and soon["token"] in body(reminder)
    assert await emit_reminders() == 0  # delivered, still remembered


async def test_sweepers_in_several_processes_remind_once(client, milano_point):
    await stocked()
    soon = await ready_order(client, milano_point, timedelta(hours=2))
    counts = await asyncio.gather(*[emit_reminders() for _ in range(6)])
    assert sum(counts) == 1 and await reminders() == [soon["id"]]
    with pytest.raises(asyncpg.UniqueViolationError):
        await emit("order.reminder", {"order_id": soon["id"], "to": "customer"})


async def test_orders_past_their_hold_or_no_longer_waiting_are_not_reminded(client, milano_point):
    await stocked()
    late = await ready_order(client, milano_point, timedelta(hours=-1))
    collected = await ready_order(client, milano_point, timedelta(hours=5))
    await CustomerOrder.update({CustomerOrder.status: "collected"}).where(CustomerOrder.id == collected["id"])
    assert await emit_reminders() == 0
    assert late["id"] and await reminders() == []


async def test_the_sweeper_reminds_and_delivers_in_one_pass(client, milano_point, tmp_path, monkeypatch):
    from marketplace.outbox import delivery

    await stocked()
    await milano_staff()
    soon = await ready_order(client, milano_point, timedelta(hours=3))
    monkeypatch.setattr(delivery, "configured_mailer", lambda: MailFolder(tmp_path))
    await sweep_once()
    topics = sorted(m["X-Outbox-Topic"] for m in sent(tmp_path))
    assert topics == ["order.new", "order.placed", "order.ready", "order.reminder"]
    assert await reminders() == [soon["id"]]
    assert await OutboxMessage.count().where(OutboxMessage.delivered_at.is_null()) == 0
