"""The routing settings on the network's settings page: saved in range, refused out of it, in Italian."""

from marketplace.network.rules import get_rules
from tests.conftest import csrf_token
from tests.settlement.test_money_flow import NETWORK_BILLING


async def test_managers_set_the_acceptance_deadline_and_the_waves(manager):
    page = await manager.get("/network/settings")
    assert "Instradamento" in page.text and 'name="order_accept_minutes" type="number" value="90"' in page.text
    token = await csrf_token(manager, "/network/settings")
    form = {"_csrf_token": token, "stale_feed_hours": "48", "transfer_discount_pct": "20",
            "full_feed_reject_limit_pct": "5", "transfer_sla_hours": "4", "online_discount_pct": "0",
            "transfer_days": "2", "shipping_deadline_days": "2", "clearing": "central", "minimum_payout": "10,00",
            "order_accept_minutes": "120", "urgent_first_radius_km": "30", "urgent_second_radius_km": "150",
            "urgent_wave_minutes": "45", **NETWORK_BILLING}
    narrower = await manager.post("/network/settings", data={**form, "urgent_second_radius_km": "20"})
    assert narrower.status_code == 422 and "più ampio del primo raggio" in narrower.text
    too_long = await manager.post("/network/settings", data={**form, "order_accept_minutes": "2000"})
    assert too_long.status_code == 422 and 'id="e-order_accept_minutes"' in too_long.text
    saved = await manager.post("/network/settings", data=form)  # the central wave's box left unticked
    assert saved.status_code == 303
    rules = await get_rules()
    assert (rules.order_accept_minutes, rules.urgent_first_radius_km, rules.urgent_second_radius_km,
            rules.urgent_wave_minutes, rules.urgent_central_wave) == (120, 30, 150, 45, False)
