"""Signed webhooks: registration and its refusals, fan-out from the outbox, signatures checked by the
receiver with the standardwebhooks library, scoping, retries, 410, replay and rotation."""

from datetime import datetime, timedelta, timezone

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from marketplace.accounts.tables import Role
from marketplace.webhooks.delivery import MAX_ATTEMPTS, RETRY_DELAYS, run_webhooks
from marketplace.webhooks.tables import WebhookDelivery, WebhookEndpoint
from tests.conftest import make_key
from tests.matching.network import build_network, key_of, stock


def auth(key):
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
async def keys(client):
    await build_network()
    await stock("MZ", "03L 115 562", 5, "9.90")
    return {**{code: await key_of(code) for code in ("MI", "MZ", "TO")}, "network": await make_key(Role.network_manager)}


async def register(client, key, url, events=("transfer.requested", "transfer.accepted"), description=""):
    return await client.post("/api/v1/webhooks", json={"url": url, "events": list(events), "description": description},
                             headers=auth(key))


async def request_transfer(client, key, quantity=1):
    response = await client.post("/api/v1/transfers", json={"supplier": "MZ", "part_number": "03L115562",
                                                             "quantity": quantity}, headers=auth(key))
    assert response.status_code == 201, response.text
    return response.json()


def verified(secret, received):
    return Webhook(secret).verify(received.body, received.headers)


@pytest.mark.parametrize("url", ["http://example.com/hooks", "https://127.0.0.1/hooks", "https://10.1.2.3/x",
                                 "https://169.254.169.254/latest", "https://localhost:8443/", "https://[::1]/",
                                 "ftp://example.com/", "not a url"])
async def test_insecure_or_private_urls_are_refused_naming_the_url(client, keys, url, monkeypatch):
    monkeypatch.delenv("MARKETPLACE_WEBHOOKS_ALLOW_INSECURE", raising=False)
    response = await register(client, keys["MI"], url)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "url"
    assert await WebhookEndpoint.count() == 0


async def test_an_https_url_to_a_public_address_is_accepted(client, keys, monkeypatch):
    monkeypatch.delenv("MARKETPLACE_WEBHOOKS_ALLOW_INSECURE", raising=False)
    response = await register(client, keys["MI"], "https://93.184.215.14/hooks")  # a public literal: no DNS needed
    assert response.status_code == 201, response.text


async def test_bad_events_are_422_and_staff_cannot_register(client, keys, insecure, receiver):
    assert (await register(client, keys["MI"], receiver.url, events=["transfer.teleported"])).json()["field"] == "events"
    assert (await register(client, keys["MI"], receiver.url, events=[])).status_code == 422
    staff = await make_key(Role.dealer_staff, (await WebhookEndpoint.raw("SELECT id FROM dealer LIMIT 1"))[0]["id"])
    assert (await register(client, staff, receiver.url)).status_code == 403


async def test_the_secret_is_shown_once_and_signs_every_delivery(client, keys, insecure, receiver):
    created = await register(client, keys["MZ"], receiver.url, description="DMS di Monza")
    assert created.status_code == 201
    body = created.json()
    assert set(body) == {"id", "url", "events", "secret"} and body["secret"].startswith("whsec_")
    listed = (await client.get("/api/v1/webhooks", headers=auth(keys["MZ"]))).json()
    assert [w["id"] for w in listed] == [body["id"]] and "secret" not in listed[0]
    assert "secret" not in str(listed) and body["secret"] not in str(listed)

    transfer = await request_transfer(client, keys["MI"], 2)
    report = await run_webhooks()
    assert (report.queued, report.delivered) == (1, 1)
    [hit] = receiver.received
    assert hit.headers["webhook-id"].startswith("msg_") and hit.headers["webhook-signature"].startswith("v1,")
    event = verified(body["secret"], hit)
    assert event["type"] == "transfer.requested"
    assert datetime.fromisoformat(event["timestamp"]).tzinfo is not None
    # The API's own field names and values.
    api = (await client.get(f"/api/v1/transfers/{transfer['id']}", headers=auth(keys["MZ"]))).json()
    assert {k: v for k, v in event["data"].items() if k != "events"} == {k: v for k, v in api.items() if k != "events"}
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "A" * 43 + "=").verify(hit.body, hit.headers)
    with pytest.raises(WebhookVerificationError):
        verified(body["secret"], type(hit)(hit.path, hit.headers, hit.body.replace(b'"quantity":2', b'"quantity":9')))

    assert (await run_webhooks()).delivered == 0  # once
    assert len(receiver.received) == 1


async def test_a_dealer_hears_only_of_its_own_events_the_network_of_all(client, keys, insecure, receiver):
    secrets = {}
    for who in ("MZ", "TO", "network"):
        response = await register(client, keys[who], f"{receiver.url}/{who}")
        secrets[who] = response.json()["secret"]
    await request_transfer(client, keys["MI"])
    await run_webhooks()
    paths = sorted(hit.path for hit in receiver.received)
    assert paths == ["/hooks/MZ", "/hooks/network"]
    for hit in receiver.received:
        assert verified(secrets[hit.path.rsplit("/", 1)[1]], hit)["type"] == "transfer.requested"
    # TO's list shows only its own endpoint; the network sees all three.
    assert len((await client.get("/api/v1/webhooks", headers=auth(keys["TO"]))).json()) == 1
    assert len((await client.get("/api/v1/webhooks", headers=auth(keys["network"]))).json()) == 3
    mz = (await client.get("/api/v1/webhooks", headers=auth(keys["MZ"]))).json()[0]["id"]
    assert (await client.delete(f"/api/v1/webhooks/{mz}", headers=auth(keys["TO"]))).status_code == 404
    assert (await client.delete(f"/api/v1/webhooks/{mz}", headers=auth(keys["MZ"]))).status_code == 204


async def test_only_subscribed_events_and_only_after_registration(client, keys, insecure, receiver):
    await request_transfer(client, keys["MI"])  # before any endpoint: never sent
    await register(client, keys["network"], receiver.url, events=["transfer.accepted"])
    transfer = await request_transfer(client, keys["MI"])
    await run_webhooks()
    assert receiver.received == []
    accepted = await client.post(f"/api/v1/transfers/{transfer['id']}/accept", headers=auth(keys["MZ"]))
    assert accepted.status_code == 200, accepted.text
    await run_webhooks()
    assert [h.headers["webhook-id"] for h in receiver.received] and len(receiver.received) == 1


async def test_failures_are_retried_with_backoff_then_given_up(client, keys, insecure, receiver):
    created = (await register(client, keys["network"], receiver.url)).json()
    await request_transfer(client, keys["MI"])
    receiver.status = 500
    now = datetime.now(timezone.utc)
    report = await run_webhooks(now)
    assert (report.delivered, report.failed) == (0, 1)
    delivery = await WebhookDelivery.select().first()
    assert delivery["next_attempt_at"] == now + RETRY_DELAYS[0] and delivery["last_status"] == 500

    assert (await run_webhooks(now + timedelta(seconds=30))).failed == 0  # not due yet
    receiver.status = 200
    assert (await run_webhooks(now + RETRY_DELAYS[0])).delivered == 1
    assert len(receiver.received) == 2
    assert receiver.received[0].headers["webhook-id"] == receiver.received[1].headers["webhook-id"]
    assert receiver.received[0].body == receiver.received[1].body
    verified(created["secret"], receiver.received[1])

    # Another one never answered well: given up after MAX_ATTEMPTS tries, about three days.
    await request_transfer(client, keys["MI"])
    receiver.status = 503
    moment = now
    for _ in range(MAX_ATTEMPTS):
        await run_webhooks(moment)
        moment = (await WebhookDelivery.select(WebhookDelivery.next_attempt_at).order_by(
            WebhookDelivery.id, ascending=False).first())["next_attempt_at"] or moment
    last = await WebhookDelivery.select().order_by(WebhookDelivery.id, ascending=False).first()
    assert last["attempts"] == MAX_ATTEMPTS and last["given_up_at"] is not None
    assert timedelta(days=2.5) < sum(RETRY_DELAYS, timedelta()) < timedelta(days=3.5)

    log = (await client.get(f"/api/v1/webhooks/{created['id']}/deliveries?failures=true",
                            headers=auth(keys["network"]))).json()["items"]
    assert [d["state"] for d in log] == ["failed"] and log[0]["last_status"] == 503
    receiver.status = 200
    replayed = await client.post(f"/api/v1/webhooks/{created['id']}/deliveries/{last['id']}/replay",
                                 headers=auth(keys["network"]))
    assert replayed.status_code == 202 and replayed.json()["state"] == "pending"
    assert (await run_webhooks()).delivered == 1
    assert verified(created["secret"], receiver.received[-1])["type"] == "transfer.requested"


async def test_410_gone_disables_the_endpoint(client, keys, insecure, receiver):
    created = (await register(client, keys["network"], receiver.url)).json()
    await request_transfer(client, keys["MI"])
    await request_transfer(client, keys["MI"])
    receiver.status = 410
    report = await run_webhooks()
    assert report.disabled == 1
    endpoint = (await client.get(f"/api/v1/webhooks/{created['id']}", headers=auth(keys["network"]))).json()
    assert endpoint["disabled_at"] is not None and "410" in endpoint["disabled_reason"]
    assert await WebhookDelivery.count().where(WebhookDelivery.given_up_at.is_null()) == 0
    receiver.status = 204
    await request_transfer(client, keys["MI"])
    await run_webhooks()
    assert len(receiver.received) == 2  # nothing more to a disabled endpoint


async def test_a_rotated_secret_signs_and_the_old_one_too_for_a_day(client, keys, insecure, receiver):
    created = (await register(client, keys["MZ"], receiver.url)).json()
    rotated = await client.post(f"/api/v1/webhooks/{created['id']}/rotate-secret", headers=auth(keys["MZ"]))
    assert rotated.status_code == 200 and rotated.json()["secret"] != created["secret"]
    await request_transfer(client, keys["MI"])
    await run_webhooks()
    [hit] = receiver.received
    verified(rotated.json()["secret"], hit)
    verified(created["secret"], hit)


async def test_a_feed_is_an_event_of_its_dealer(client, keys, insecure, receiver):
    created = (await register(client, keys["MZ"], receiver.url, events=["feed.applied", "feed.refused"])).json()
    feed = await client.put("/api/v1/stock?mode=delta", content=b"part_number,quantity\n03L115562,7\n",
                            headers={**auth(keys["MZ"]), "Content-Type": "text/csv", "X-Feed-Lines": "1"})
    assert feed.status_code in (200, 201), feed.text
    await run_webhooks()
    [hit] = receiver.received
    event = verified(created["secret"], hit)
    assert event["type"] == "feed.applied" and event["data"]["dealer_code"] == "MZ"
    assert event["data"]["lines_applied"] == 1 and event["data"]["feed_id"] == feed.json()["feed_id"]


async def test_one_sweep_drains_a_backlog_batch_after_batch(client, keys, insecure, receiver):
    from marketplace.outbox.messages import emit
    from marketplace.webhooks.delivery import SEND_BATCH

    await register(client, keys["network"], receiver.url)
    transfer = await request_transfer(client, keys["MI"])
    for _ in range(SEND_BATCH + 49):
        await emit("transfer.requested", {"transfer_id": transfer["id"], "from": None, "to": "requested"})
    report = await run_webhooks()
    assert report.delivered == SEND_BATCH + 50 == len(receiver.received)
    assert len({hit.headers["webhook-id"] for hit in receiver.received}) == SEND_BATCH + 50
