"""The demo's seeded year gives the pulse real figures for a past month."""

from datetime import datetime, timezone

from marketplace.calendar import today
from marketplace.piccolo_conf import DB
from marketplace.pulse.kpis import NETWORK, dealer_scope, kpis
from marketplace.seed import seed_network
from marketplace.seed_history import history_months


async def test_a_seeded_month_has_requests_orders_and_money():
    await seed_network(dealers=25, parts=400, seed=3, rows_per_dealer=60)
    period = history_months(today())[-2]
    network = await kpis(period, NETWORK, now=datetime.now(timezone.utc))
    assert network.requests_completed > 0 and network.time_to_fill_p50_hours > 0
    assert network.online_orders > 0 and 0 < network.fill_rate <= 1
    [booked] = await DB.run_ddl(
        "SELECT coalesce(sum(l.amount), 0) AS referral FROM ledger_line l JOIN ledger_entry e ON e.id = l.entry"
        f" WHERE e.period = '{period}' AND l.kind = 'referral' AND l.account LIKE 'dealer:%'")
    assert network.referral_earned == booked["referral"] > 0  # not what the network keeps (no territory owner)
    # Every dealer's figures add up to the network's where the figure is a sum.
    codes = [r["code"] for r in await DB.run_ddl("SELECT code FROM dealer ORDER BY code")]
    dealers = [await kpis(period, await dealer_scope(code)) for code in codes]
    assert sum(d.requests_completed for d in dealers) == network.requests_completed
    assert sum(d.referral_earned for d in dealers) == network.referral_earned
    assert sum(d.pickup_fees for d in dealers) == network.pickup_fees
