"""The demo's incentives on first start: every tier populated, rebates and waivers booked in the
settled months, marketing claims paid and waiting, fast movers reserved, a login per tier."""

from __future__ import annotations

from marketplace.calendar import today
from marketplace.incentives.overview import overview
from marketplace.incentives.reserved import reservations
from marketplace.incentives.tables import IncentiveBooking, MarketingClaim
from marketplace.network.tables import Dealer
from marketplace.piccolo_conf import DB
from marketplace.seed import seed_network
from marketplace.seed_history import history_months


async def test_the_demo_shows_every_incentive():
    logins = await seed_network(dealers=40, parts=400, seed=3, rows_per_dealer=60)
    tiers = {r["tier"] for r in await Dealer.select(Dealer.tier).where(Dealer.is_central_warehouse.eq(False))}
    assert tiers == {"provincial", "urban", "distributor", "new"}
    kinds = {r["kind"] for r in await IncentiveBooking.select(IncentiveBooking.kind)}
    assert kinds == {"rebate", "fee_waiver", "marketing"}
    statuses = {r["status"] for r in await MarketingClaim.select(MarketingClaim.status)}
    assert statuses == {"approved", "submitted"}
    assert await reservations() != []
    # The ledger still balances, entry by entry.
    [unbalanced] = await DB.run_ddl(
        "SELECT count(*) AS n FROM (SELECT entry FROM ledger_line GROUP BY entry HAVING sum(amount) <> 0) x")
    assert unbalanced["n"] == 0
    per_tier = {login.dealer_code: login for login in logins if login.email.startswith("admin.")}
    codes = {r["code"]: r["tier"] for r in await Dealer.select(Dealer.code, Dealer.tier)}
    assert {codes[c] for c in per_tier} == {"provincial", "urban", "distributor", "new"}
    # An urban dealer's last seeded month: a rebate with its threshold.
    last = history_months(today())[-1]
    rebate = await IncentiveBooking.select(IncentiveBooking.dealer.code.as_alias("code")).where(
        (IncentiveBooking.kind == "rebate") & (IncentiveBooking.period == last)).first()
    assert rebate is not None
    o = await overview(rebate["code"], last)
    assert o.tier == "urban" and o.progress.pct > 0 and o.applied
