"""The sender against receivers that misbehave, URLs that are not hosts, and names that lead somewhere
private when the post is sent: each costs its own delivery a failed try, never the sweeper or the batch."""

import asyncio
import socket
import time

import pytest

from marketplace.webhooks import delivery
from marketplace.webhooks.delivery import run_webhooks
from marketplace.webhooks.tables import WebhookDelivery, WebhookEndpoint
from tests.webhooks.receiver import Trickler
from tests.webhooks.test_webhooks import keys, register, request_transfer  # noqa: F401  (keys: fixture)


async def by_endpoint():
    rows = await WebhookDelivery.select().order_by(WebhookDelivery.id)
    return {row["endpoint"]: row for row in rows}


async def test_a_receiver_trickling_its_answer_fails_its_delivery_within_the_timeout(client, keys, insecure, receiver,
                                                                                    monkeypatch):
    monkeypatch.setattr(delivery, "TIMEOUT_SECONDS", 2.0)
    slow = Trickler(every=0.3)
    try:
        slow_id = (await register(client, keys["network"], slow.url)).json()["id"]
        good_id = (await register(client, keys["network"], receiver.url)).json()["id"]
        await request_transfer(client, keys["MI"])
        started = time.monotonic()
        report = await asyncio.wait_for(run_webhooks(), 20)  # before the fix: never ends
        took = time.monotonic() - started
    finally:
        slow.close()
    assert slow.requests == 1 and took < 2.0 + 2.0, took
    assert (report.delivered, report.failed) == (1, 1)
    rows = await by_endpoint()
    assert rows[good_id]["delivered_at"] is not None and len(receiver.received) == 1
    assert rows[slow_id]["delivered_at"] is None and rows[slow_id]["attempts"] == 1
    assert "no full answer within 2 s" in rows[slow_id]["last_error"]


async def test_the_step_starts_no_try_after_its_budget(client, keys, insecure, monkeypatch):
    """Tries queued behind hung ones are not started once the step's time is up: due again, no try counted."""
    monkeypatch.setattr(delivery, "TIMEOUT_SECONDS", 1.0)
    monkeypatch.setattr(delivery, "BUDGET_SECONDS", 0.5)
    monkeypatch.setattr(delivery, "CONCURRENCY", 1)
    slow = Trickler(every=0.2)
    try:
        await register(client, keys["network"], slow.url)
        for _ in range(3):
            await request_transfer(client, keys["MI"])
        started = time.monotonic()
        report = await asyncio.wait_for(run_webhooks(), 20)
        took = time.monotonic() - started
    finally:
        slow.close()
    assert report.failed == 1 and took < 1.0 + 1.5, took
    rows = await WebhookDelivery.select().order_by(WebhookDelivery.id)
    assert sorted(r["attempts"] for r in rows) == [0, 0, 1]


@pytest.mark.parametrize("url", ["https://a..b/x", "https://xn--/x", "http://a..b:8080/x", "http://xn--/x",
                                 "https://" + "a" * 64 + ".example.com/"])
async def test_a_url_whose_host_is_not_a_name_is_refused_even_when_insecure(client, keys, insecure, url):
    response = await register(client, keys["MI"], url)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "url"
    assert await WebhookEndpoint.count() == 0


@pytest.mark.parametrize("bad", ["http://xn--/x", "http://a..b/x"])
async def test_a_bad_url_fails_only_its_own_delivery(client, keys, insecure, receiver, bad):
    """An endpoint registered before the URL check (or edited in the database) must not stop the batch."""
    bad_id = (await register(client, keys["network"], receiver.url + "/bad")).json()["id"]
    good_id = (await register(client, keys["network"], receiver.url)).json()["id"]
    await WebhookEndpoint.update({WebhookEndpoint.url: bad}).where(WebhookEndpoint.id == bad_id)
    await request_transfer(client, keys["MI"])
    report = await run_webhooks()
    assert (report.delivered, report.failed) == (1, 1)
    rows = await by_endpoint()
    assert rows[good_id]["delivered_at"] is not None and [h.path for h in receiver.received] == ["/hooks"]
    assert rows[bad_id]["attempts"] == 1 and rows[bad_id]["last_error"]


async def test_a_name_leading_to_loopback_is_refused_when_sending(client, keys, insecure, receiver, monkeypatch):
    port = receiver.server.server_address[1]
    created = (await register(client, keys["network"], f"http://localhost:{port}/hooks")).json()
    monkeypatch.delenv("MARKETPLACE_WEBHOOKS_ALLOW_INSECURE")
    await request_transfer(client, keys["MI"])
    report = await run_webhooks()
    assert report.failed == 1 and receiver.received == []
    row = (await by_endpoint())[created["id"]]
    assert row["last_error"].startswith("refused: the host localhost is not a public address"), row["last_error"]


async def test_a_name_repointed_after_its_check_is_not_followed(client, keys, insecure, receiver, monkeypatch):
    """DNS rebinding: the name first resolves to a public address, then to loopback. The sender connects
    to the address it checked, so the local receiver never hears the post."""
    port = receiver.server.server_address[1]
    created = (await register(client, keys["network"], f"http://rebind.invalid:{port}/hooks")).json()
    monkeypatch.delenv("MARKETPLACE_WEBHOOKS_ALLOW_INSECURE")
    monkeypatch.setattr(delivery, "TIMEOUT_SECONDS", 2.0)
    real, lookups = socket.getaddrinfo, []

    def rebinding(host, *args, **kwargs):
        if (host.decode() if isinstance(host, bytes) else host) != "rebind.invalid":  # anyio passes bytes
            return real(host, *args, **kwargs)
        lookups.append(host)
        address = "93.184.215.14" if len(lookups) == 1 else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, args[0] if args else port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    await request_transfer(client, keys["MI"])
    report = await asyncio.wait_for(run_webhooks(), 20)
    assert report.failed == 1 and receiver.received == []
    assert lookups == ["rebind.invalid"]  # resolved once: checked and connected to
    row = (await by_endpoint())[created["id"]]
    assert row["delivered_at"] is None and row["attempts"] == 1


async def test_metrics_count_the_deliveries_pending(client, keys, insecure, receiver):
    from tests.test_metrics import _scrape, _value

    def pending(samples):
        return _value(samples, "marketplace_webhook_deliveries_pending")

    assert pending(await _scrape(client, keys["network"])) == 0
    await register(client, keys["network"], receiver.url)
    await request_transfer(client, keys["MI"])
    await request_transfer(client, keys["MI"])
    receiver.status = 500
    assert (await run_webhooks()).failed == 2
    assert pending(await _scrape(client, keys["network"])) == 2  # retrying
    await WebhookDelivery.update({WebhookDelivery.next_attempt_at: WebhookDelivery.created_at}, force=True)  # due now
    receiver.status = 204
    assert (await run_webhooks()).delivered == 2
    assert pending(await _scrape(client, keys["network"])) == 0
