"""``GET /metrics`` (Prometheus text, not public) and ``GET /ready`` (database and migrations)."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from marketplace.accounts.tables import Role
from marketplace.outbox.messages import emit
from marketplace.piccolo_conf import DB
from marketplace.settings import get_settings
from marketplace.sweeper import sweep_once
from tests.conftest import csrf_token, make_dealer, make_key


def _samples(text: str) -> dict[tuple[str, frozenset], float]:
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def _value(samples, name: str, **labels) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def _scrape(client, key: str) -> dict:
    response = await client.get("/metrics", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return _samples(response.text)


@pytest.fixture
def allowing(monkeypatch):
    def allow(value: str) -> None:
        monkeypatch.setenv("MARKETPLACE_METRICS_ALLOW", value)
        get_settings.cache_clear()

    yield allow
    monkeypatch.delenv("MARKETPLACE_METRICS_ALLOW", raising=False)
    get_settings.cache_clear()


async def test_metrics_need_a_network_key_or_an_allowed_address(client, allowing):
    dealer = await make_dealer("D001", "20121")
    assert (await client.get("/metrics")).status_code == 401
    assert (await client.get("/metrics", headers={"Authorization": "Bearer mk_nonsense"})).status_code == 401
    dealer_key = await make_key(Role.dealer_admin, dealer["id"])
    assert (await client.get("/metrics", headers={"Authorization": f"Bearer {dealer_key}"})).status_code == 403
    network_key = await make_key(Role.network_manager)
    assert (await client.get("/metrics", headers={"Authorization": f"Bearer {network_key}"})).status_code == 200

    allowing("10.0.0.0/8, 192.168.1.7")  # the test client calls from 127.0.0.1
    assert (await client.get("/metrics")).status_code == 401
    allowing("10.0.0.0/8,127.0.0.1")
    response = await client.get("/metrics")
    assert response.status_code == 200 and "marketplace_http_requests_total" in response.text


def test_a_mistyped_allow_list_stops_the_settings(allowing):
    allowing("127.0.0.1, localhost")
    with pytest.raises(ValueError, match="MARKETPLACE_METRICS_ALLOW"):
        get_settings()


async def test_requests_are_counted_by_route_template_and_status_with_latency(client):
    key = await make_key(Role.network_manager)
    before = await _scrape(client, key)
    for _ in range(3):
        assert (await client.get("/health")).status_code == 200
    assert (await client.get("/network/dealers/D042")).status_code in (302, 303, 401)  # not signed in
    assert (await client.get("/api/v1/dealers/", headers={"Authorization": "Bearer mk_wrong"})).status_code == 401
    after = await _scrape(client, key)

    def grew(name: str, **labels) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert grew("marketplace_http_requests_total", method="GET", route="/health", status="200") == 3
    assert grew("marketplace_http_request_duration_seconds_count", method="GET", route="/health") == 3
    assert grew("marketplace_http_request_duration_seconds_sum", method="GET", route="/health") > 0
    # Refused by the sign-in middleware: counted with the status the client got.
    assert grew("marketplace_http_requests_total", method="GET", route="/api/v1/dealers", status="401") == 1
    assert grew("marketplace_http_requests_total", method="GET", route="/api/v1/dealers", status="500") == 0
    # By the route's template, never the raw path: ids do not multiply the series.
    templated = [labels for (name, labels) in after if name == "marketplace_http_requests_total"
                 and ("route", "/network/dealers/{code}") in labels]
    assert templated
    assert not [labels for (name, labels) in after if ("route", "/network/dealers/D042") in labels]


async def test_pool_outbox_backlog_and_sweeper_runs(client):
    key = await make_key(Role.network_manager)
    empty = await _scrape(client, key)
    assert _value(empty, "marketplace_outbox_backlog") == 0
    assert _value(empty, "marketplace_outbox_oldest_undelivered_age_seconds") == 0
    assert _value(empty, "marketplace_db_pool_connections_max") == 8  # the test pool (conftest)
    async with DB.pool.acquire(), DB.pool.acquire():  # two lent out while Prometheus looks
        busy = await _scrape(client, key)
    assert _value(busy, "marketplace_db_pool_connections_in_use") == 2
    assert _value(busy, "marketplace_db_pool_connections") >= 2

    await emit("test.topic", {"n": 1})
    await emit("test.topic", {"n": 2})
    await DB.run_ddl("UPDATE outbox_message SET created_at = now() - interval '2 hours' WHERE payload->>'n' = '1'")
    waiting = await _scrape(client, key)
    assert _value(waiting, "marketplace_outbox_backlog") == 2
    assert 7200 <= _value(waiting, "marketplace_outbox_oldest_undelivered_age_seconds") < 7260

    runs = _value(waiting, "marketplace_sweeper_runs_total")
    await sweep_once()  # marks the two unmailed topics handled
    swept = await _scrape(client, key)
    assert _value(swept, "marketplace_sweeper_runs_total") == runs + 1
    assert _value(swept, "marketplace_outbox_backlog") == 0


async def test_ready_when_migrated_and_not_when_a_migration_is_pending(client):
    response = await client.get("/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "pending_migrations": []}

    removed = await DB.run_ddl("DELETE FROM migration WHERE id = (SELECT max(id) FROM migration) RETURNING *")
    try:
        response = await client.get("/ready")
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "unavailable"
        assert body["pending_migrations"] == [f"{removed[0]['app_name']}:{removed[0]['name']}"]
        assert (await client.get("/health")).status_code == 200  # health stays cheap: the process lives
    finally:
        row = removed[0]
        await DB.run_ddl(
            f"INSERT INTO migration (id, name, app_name, ran_on) VALUES ({row['id']}, '{row['name']}',"
            f" '{row['app_name']}', '{row['ran_on'].isoformat()}')"
        )
    assert (await client.get("/ready")).status_code == 200


async def test_a_domain_error_is_counted_with_the_status_the_user_saw(manager):
    key = await make_key(Role.network_manager)
    token = await csrf_token(manager, "/api-keys/")
    before = await _scrape(manager, key)
    response = await manager.post("/api-keys/999/revoke", data={"_csrf_token": token})
    assert response.status_code == 404
    after = await _scrape(manager, key)
    labels = {"method": "POST", "route": "/api-keys/{key_id}/revoke"}
    assert _value(after, "marketplace_http_requests_total", **labels, status="404") - _value(
        before, "marketplace_http_requests_total", **labels, status="404") == 1
    assert _value(after, "marketplace_http_requests_total", **labels, status="500") == 0
