"""The network pulse's figures on the hand-built month of docs/kpis.md (October 2026), and who may read them."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest

from marketplace.accounts.tables import Role
from marketplace.errors import Invalid, NotFound
from marketplace.network.tables import NetworkSettings
from marketplace.pulse.kpis import NETWORK, dealer_scope, kpis
from tests.conftest import make_key
from tests.pulse.example import build_month

NOW = datetime(2026, 11, 29, 12, tzinfo=timezone.utc)


async def figures(scope_code: str | None = None):
    scope = await dealer_scope(scope_code) if scope_code else NETWORK
    return await kpis("2026-10", scope, now=NOW)


async def test_the_network_month_of_the_worked_example():
    await build_month()
    k = await figures()
    assert k.scope == "network"
    assert k.time_saved_minutes == 17  # T1 12 - 4, T3 12 - 3, T5 20 min capped: 0, T7 unmeasured: 0
    assert k.requests_completed == 4  # T1, T3, T5 and T7 (asked in September, received 1 October)
    assert k.fill_rate == 0.5  # lines P1 and P2 of 5 October filled; P3 expired; P4 arrived late; T6 cancelled
    assert k.time_to_fill_p50_hours == 48.5  # 18, 25, 72, 142 hours
    assert k.aged_stock_value == Decimal("265.00")  # D001 100 + 80, D002 60, D003 25
    assert k.aged_stock_value_change_pct is None
    assert (k.aged_stock_sold_units, k.aged_stock_sold_value) == (4, Decimal("105.00"))  # T1 20, T3 25, O1 60
    assert k.active_dealers == 2  # D001 searched and requested, D002 published
    assert k.online_orders == 1  # O1; O2 lapsed unconfirmed
    assert k.referral_earned == Decimal("5.00") and k.pickup_fees == Decimal("0.80")


async def test_each_dealers_month_of_the_worked_example():
    await build_month()
    d001 = await figures("D001")
    assert d001.scope == "dealer:D001"
    assert (d001.time_saved_minutes, d001.requests_completed, d001.fill_rate) == (17, 3, 0.5)
    assert d001.time_to_fill_p50_hours == 72.0  # 25, 72, 142
    assert d001.aged_stock_value == Decimal("180.00")
    assert (d001.aged_stock_sold_units, d001.aged_stock_sold_value) == (0, Decimal("0.00"))
    assert (d001.active_dealers, d001.online_orders) == (1, 0)
    assert (d001.referral_earned, d001.pickup_fees) == (Decimal("5.00"), Decimal("0.00"))  # not September's 7.00

    d002 = await figures("D002")
    assert (d002.time_saved_minutes, d002.requests_completed, d002.time_to_fill_p50_hours) == (0, 1, 18.0)
    assert d002.fill_rate is None  # it asked nothing in October
    assert d002.aged_stock_value == Decimal("60.00")
    assert (d002.aged_stock_sold_units, d002.aged_stock_sold_value) == (1, Decimal("20.00"))  # T1; T5 not judged
    assert d002.active_dealers == 1

    d003 = await figures("D003")
    assert (d003.aged_stock_sold_units, d003.aged_stock_sold_value) == (3, Decimal("85.00"))  # T3 and O1
    assert (d003.online_orders, d003.active_dealers, d003.requests_completed) == (1, 0, 0)
    assert d003.time_to_fill_p50_hours is None

    d004 = await figures("D004")
    assert (d004.online_orders, d004.pickup_fees, d004.referral_earned) == (1, Decimal("0.80"), Decimal("0.00"))


async def test_the_phone_baseline_is_the_network_setting():
    await build_month()
    await NetworkSettings.update({NetworkSettings.phone_minutes_per_line: 20}, force=True)
    assert (await figures("D001")).time_saved_minutes == 33  # 20 - 4 and 20 - 3


async def test_a_bad_month_or_an_unknown_dealer_is_refused_naming_the_field():
    with pytest.raises(Invalid) as bad:
        await kpis("2026-13", NETWORK, now=NOW)
    assert bad.value.field == "period"
    with pytest.raises(Invalid) as future:
        await kpis("2026-12", NETWORK, now=NOW)
    assert future.value.field == "period"
    with pytest.raises(NotFound) as unknown:
        await dealer_scope("D999")
    assert unknown.value.field == "dealer"


# --- the API -----------------------------------------------------------------------------------

FIELDS = {"period", "scope", "time_saved_minutes", "requests_completed", "fill_rate", "time_to_fill_p50_hours",
          "aged_stock_value", "aged_stock_value_change_pct", "aged_stock_sold_value", "active_dealers",
          "online_orders", "referral_earned", "pickup_fees"}


def bearer(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


async def test_a_manager_reads_the_network_and_any_dealer(client):
    month = await build_month()
    key = await make_key(Role.network_manager)
    network = await client.get("/api/v1/kpis", params={"period": "2026-10"}, headers=bearer(key))
    assert network.status_code == 200, network.text
    body = network.json()
    assert set(body) == FIELDS
    assert body["scope"] == "network" and body["time_saved_minutes"] == 17 and body["fill_rate"] == 0.5
    assert Decimal(str(body["aged_stock_value"])) == Decimal("265.00")
    one = await client.get("/api/v1/kpis", params={"period": "2026-10", "dealer": "d003"}, headers=bearer(key))
    assert one.status_code == 200 and one.json()["scope"] == "dealer:D003"
    # One dealer's aged stock is valued at its unit cost: that dealer's to see, not the network's.
    assert one.json()["aged_stock_value"] is None and one.json()["aged_stock_sold_value"] is None
    assert month["dealers"]["D003"]


async def test_a_dealer_reads_only_its_own_figures(client):
    month = await build_month()
    key = await make_key(Role.dealer_admin, month["dealers"]["D001"])
    own = await client.get("/api/v1/kpis", params={"period": "2026-10"}, headers=bearer(key))
    assert own.status_code == 200 and own.json()["scope"] == "dealer:D001"
    assert own.json()["requests_completed"] == 3 and own.json()["active_dealers"] == 1
    assert Decimal(str(own.json()["aged_stock_value"])) == Decimal("180.00")  # its own costs
    named = await client.get("/api/v1/kpis", params={"period": "2026-10", "dealer": "D001"}, headers=bearer(key))
    assert named.status_code == 200 and named.json() == own.json()
    other = await client.get("/api/v1/kpis", params={"period": "2026-10", "dealer": "D002"}, headers=bearer(key))
    assert other.status_code == 403 and other.json()["field"] == "dealer"
    assert "requests_completed" not in other.text


@pytest.mark.parametrize("params, status, field", [
    ({}, 422, "period"),
    ({"period": "2026-13"}, 422, "period"),
    ({"period": "october"}, 422, "period"),
    ({"period": "2999-01"}, 422, "period"),
    ({"period": "2026-10", "dealer": "D999"}, 404, "dealer"),
])
async def test_a_bad_period_or_an_unknown_dealer_is_a_4xx_naming_the_field(client, params, status, field):
    await build_month()
    key = await make_key(Role.network_manager)
    response = await client.get("/api/v1/kpis", params=params, headers=bearer(key))
    assert response.status_code == status, response.text
    assert response.json()["field"] == field


async def test_the_figures_need_a_caller(client):
    assert (await client.get("/api/v1/kpis", params={"period": "2026-10"})).status_code == 401


async def test_a_manager_sets_the_phone_baseline_on_the_settings_page(manager):
    from marketplace.network.rules import get_rules
    from tests.conftest import csrf_token

    page = await manager.get("/network/settings")
    assert 'name="phone_minutes_per_line"' in page.text and 'value="12"' in page.text
    token = await csrf_token(manager, "/network/settings")
    form = {"_csrf_token": token, "stale_feed_hours": "48", "transfer_discount_pct": "20",
            "full_feed_reject_limit_pct": "5", "transfer_sla_hours": "4", "online_discount_pct": "0", "transfer_days": "2"}
    bad = await manager.post("/network/settings", data={**form, "phone_minutes_per_line": "0"})
    assert bad.status_code == 422 and "tra 1 e 120 minuti" in bad.text
    assert (await get_rules()).phone_minutes_per_line == 12
    ok = await manager.post("/network/settings", data={**form, "phone_minutes_per_line": "15"})
    assert ok.status_code == 303
    assert (await get_rules()).phone_minutes_per_line == 15


def test_a_line_still_within_its_three_days_is_pending_not_a_miss():
    from datetime import datetime, timedelta, timezone

    from marketplace.pulse.kpis import fill_rate

    now = datetime(2026, 11, 25, 12, tzinfo=timezone.utc)  # a Wednesday
    this_morning = {"requester": 1, "requested_part": 7, "created_at": now - timedelta(hours=3), "received_at": None}
    last_week = {"requester": 1, "requested_part": 8, "created_at": now - timedelta(days=8), "received_at": None}
    received = {"requester": 1, "requested_part": 9, "created_at": now - timedelta(hours=5),
                "received_at": now - timedelta(hours=1)}
    assert fill_rate([this_morning], now) is None  # nothing judged yet
    assert fill_rate([this_morning, last_week], now) == 0.0
    assert fill_rate([this_morning, last_week, received], now) == 0.5
