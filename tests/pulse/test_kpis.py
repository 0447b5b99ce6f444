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
    # Lines P1 and P2 of 5 October filled; P3 expired; P4 arrived late; S5 found nothing; S6 held; T6 cancelled
    assert (k.fill_rate, k.filled_lines, k.demand_lines, k.searches_not_found) == (0.4, 2, 5, 1)
    assert (k.time_to_fill_p50_hours, k.time_to_fill_p90_hours) == (48.5, 142.0)  # 18, 25, 72, 142 hours
    assert k.stage_p50_hours == {"request_to_accepted": 0.5, "accepted_to_shipped": 13.8, "shipped_to_received": 34.3}
    assert k.stage_p90_hours == {"request_to_accepted": 1.0, "accepted_to_shipped": 69.0, "shipped_to_received": 72.0}
    assert k.aged_stock_value == Decimal("265.00")  # D001 100 + 80, D002 60, D003 25
    assert k.aged_stock_value_9 == Decimal("315.00")  # and D001's P4, 10 x 5.00, at 9 months
    assert k.aged_stock_value_change_pct == -31.4  # D001 and D002: 240.00 now against 350.00 when they joined
    assert (k.aged_stock_sold_units, k.aged_stock_sold_value) == (5, Decimal("135.00"))  # T1 20, T3 25, T5 30, O1 60
    assert k.active_dealers == 2  # D001 searched and requested, D002 published
    assert (k.dealers, k.fresh_feeds) == (4, 0)  # D002's feed of 20 October is stale by 1 November
    assert k.online_orders == 1  # O1; O2 lapsed unconfirmed
    assert k.referral_earned == Decimal("5.00") and k.pickup_fees == Decimal("0.80")
    assert (k.platform_fees, k.hub_commissions) == (Decimal("3.00"), Decimal("0.00"))
    assert (k.portal_requests, k.phone_orders, k.portal_share) == (5, 1, 0.8333)  # T1-T5 against one phone order
    # As suppliers: T1, T2, T3, T4, T5 (T6 cancelled, T7 September): 4 answered in time, T2 declined, T4 expired.
    assert (k.supplier_requests, k.supplier_on_time, k.supplier_declined, k.supplier_expired) == (5, 4, 1, 1)
    assert (k.supplier_on_time_rate, k.decline_rate, k.expiry_rate) == (0.8, 0.2, 0.2)
    assert k.supplier_response_p50_hours == 0.6  # 26, 30, 45 and 60 minutes: (30 + 45) / 2 = 37.5 min


async def test_each_dealers_month_of_the_worked_example():
    await build_month()
    d001 = await figures("D001")
    assert d001.scope == "dealer:D001"
    assert (d001.time_saved_minutes, d001.requests_completed, d001.fill_rate) == (17, 3, 0.4)
    assert d001.time_to_fill_p50_hours == 72.0  # 25, 72, 142
    assert d001.aged_stock_value == Decimal("180.00")
    assert d001.aged_stock_value_change_pct == -40.0  # 300.00 in December 2025
    assert (d001.portal_share, d001.supplier_requests, d001.decline_rate) == (0.8333, 0, None)
    assert (d001.aged_stock_sold_units, d001.aged_stock_sold_value) == (0, Decimal("0.00"))
    assert (d001.active_dealers, d001.online_orders) == (1, 0)
    assert (d001.referral_earned, d001.pickup_fees) == (Decimal("5.00"), Decimal("0.00"))  # not September's 7.00

    d002 = await figures("D002")
    assert (d002.time_saved_minutes, d002.requests_completed, d002.time_to_fill_p50_hours) == (0, 1, 18.0)
    assert d002.fill_rate is None  # it asked nothing in October
    assert d002.aged_stock_value == Decimal("60.00")
    assert d002.aged_stock_value_change_pct == 20.0  # 50.00 in December 2025
    assert (d002.aged_stock_sold_units, d002.aged_stock_sold_value) == (2, Decimal("50.00"))  # T1 and T5
    assert (d002.supplier_requests, d002.supplier_on_time, d002.decline_rate, d002.expiry_rate) == (3, 3, 0.3333, 0.0)
    assert d002.supplier_response_p50_hours == 0.8  # 26, 45, 60 minutes
    assert d002.active_dealers == 1

    d003 = await figures("D003")
    assert (d003.aged_stock_sold_units, d003.aged_stock_sold_value) == (3, Decimal("85.00"))  # T3 and O1
    assert (d003.online_orders, d003.active_dealers, d003.requests_completed) == (1, 0, 0)
    assert d003.time_to_fill_p50_hours is None
    assert d003.aged_stock_value_change_pct is None  # no snapshot to compare with
    assert (d003.supplier_requests, d003.supplier_on_time, d003.expiry_rate) == (2, 1, 0.5)  # T3 on time, T4 expired

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
    assert body["scope"] == "network" and body["time_saved_minutes"] == 17 and body["fill_rate"] == 0.4
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

    from marketplace.pulse.kpis import line_verdict

    now = datetime(2026, 11, 25, 12, tzinfo=timezone.utc)  # a Wednesday
    this_morning = [(now - timedelta(hours=3), False)]  # a request not received yet
    searched_only = [(now - timedelta(hours=2), None)]  # a search that found nothing
    last_week = [(now - timedelta(days=8), False), (now - timedelta(days=8), None)]
    received = [(now - timedelta(hours=5), now - timedelta(hours=1))]
    assert line_verdict(this_morning, now) is None and line_verdict(searched_only, now) is None  # pending
    assert line_verdict(last_week, now) is False
    assert line_verdict(received, now) is True
