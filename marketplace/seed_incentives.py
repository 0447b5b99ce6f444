"""The demo's incentives: dealers over the four tiers, a rules version fitted to the demo's
volumes, new dealers activated recently (free trials running and ended), tier changes with their
history, marketing claims (paid, in this month's draft, waiting), the central warehouse's fast
movers reserved, and a login per tier. Called between the seeded year and its settlement, so the
settlement's hook books each month's rebates and waivers as it settles it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from marketplace.accounts.passwords import hash_password
from marketplace.accounts.tables import Role, User
from marketplace.db import raw_connection
from marketplace.incentives.claims import decide_claim, submit_claim
from marketplace.incentives.figures import month_figures
from marketplace.incentives.reserved import reserve_fast_movers
from marketplace.incentives.rules import new_version
from marketplace.incentives.tiers import set_tier
from marketplace.settlement.periods import period_bounds
from marketplace.wiring import connect_domains

#: A one-page PDF: the demo's claim documents.
DEMO_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
MINIMUM_PER_TIER = 3


def _nice(amount: Decimal) -> Decimal:
    """Rounded to 50 EUR (at least 50)."""
    return max(Decimal("50"), (amount / 50).quantize(Decimal("1")) * 50)


async def _dealers() -> list[dict]:
    async with raw_connection() as connection:
        return [dict(r) for r in await connection.fetch(
            "SELECT d.id, d.code, d.tier, (SELECT count(*) FROM stock_item s WHERE s.dealer = d.id AND s.on_hand > 0)"
            " AS stock FROM dealer d WHERE NOT d.is_central_warehouse ORDER BY d.code")]


async def _spread(dealers: list[dict], at: datetime) -> None:
    """Every tier has a few dealers: the largest stocks become distributors, then new dealers,
    then provincial and urban shops from whichever has more (recorded as changes by the demo)."""
    by_tier = {t: [d for d in dealers if d["tier"] == t] for t in ("provincial", "urban", "distributor", "new")}
    for tier in ("distributor", "new", "urban", "provincial"):
        while len(by_tier[tier]) < MINIMUM_PER_TIER:
            donor = max(("provincial", "urban"), key=lambda t: len(by_tier[t]))
            if len(by_tier[donor]) <= MINIMUM_PER_TIER:
                return
            pool = sorted(by_tier[donor], key=lambda d: (-d["stock"], d["code"])) if tier == "distributor" \
                else sorted(by_tier[donor], key=lambda d: d["code"], reverse=True)
            dealer = pool[0]
            by_tier[donor].remove(dealer)
            await set_tier(dealer["id"], tier, "demo", "distribuzione della demo sulle quattro fasce", at=at)
            dealer["tier"] = tier
            by_tier[tier].append(dealer)


async def seed_incentives(months: list[str], now: datetime | None = None) -> list:
    """After seed_history(months), before settle_history(months); the demo logins it adds."""
    from marketplace.seed import DEMO_DOMAIN, DEMO_PASSWORD, DemoLogin

    connect_domains()
    now = now or datetime.now(timezone.utc)
    if not months:
        return []
    first = period_bounds(months[0])[0]
    last_start = period_bounds(months[-1])[0]
    dealers = await _dealers()
    await _spread(dealers, first)

    # Thresholds fitted to the demo's urban volumes of the last seeded month (40th, 70th, 90th percentile).
    urban = [d["id"] for d in dealers if d["tier"] == "urban"]
    volumes = sorted(m.volume for m in (await month_figures(months[-1], urban)).values() if m.volume > 0)
    if len(volumes) >= 3:
        steps = [_nice(volumes[min(len(volumes) - 1, int(len(volumes) * q))]) for q in (0.4, 0.7, 0.9)]
        steps = [steps[0], max(steps[1], steps[0] + 50), max(steps[2], steps[1] + 100, steps[0] + 150)]
        await new_version({"threshold_1": str(steps[0]), "threshold_2": str(steps[1]), "threshold_3": str(steps[2]),
                           "marketing_budget": "2500.00"}, "demo", effective_from=first)

    # A few urban dealers were small provincial shops until half a year ago.
    for dealer in [d for d in dealers if d["tier"] == "urban"][:3]:
        await set_tier(dealer["id"], "provincial", "demo", "primo inquadramento", at=first)
        await set_tier(dealer["id"], "urban", "demo", "volume online sopra la soglia urbana",
                       at=period_bounds(months[len(months) // 2])[0])

    # New dealers joined in the last weeks: trials running now, ended in the last seeded month.
    news = [d for d in dealers if d["tier"] == "new"]
    async with raw_connection() as connection:
        for n, dealer in enumerate(news):
            activated = last_start - timedelta(days=10) + timedelta(days=(n * 9) % 45)
            await connection.execute("UPDATE dealer SET created_at = $2 WHERE id = $1", dealer["id"],
                                     min(activated, now - timedelta(days=1)))

    # Distributors: a claim paid months ago, one approved in the last seeded month, one waiting.
    for n, dealer in enumerate(d for d in dealers if d["tier"] == "distributor"):
        who = f"user:admin.{dealer['code'].lower()}@{DEMO_DOMAIN}"
        for month, amount, text, decided in (
                (months[-4], "400.00", "Volantino co-branded di stagione", True),
                (months[-1], str(250 + 25 * n), "Insegna co-branded del punto vendita", True),
                (None, "300.00", "Fiera ricambi: stand co-branded", False)):
            when = period_bounds(month)[0] + timedelta(days=12, hours=9) if month else now - timedelta(days=2)
            claim = await submit_claim(dealer["id"], amount, text, "documento.pdf", DEMO_PDF, who, now=when)
            if decided:
                await decide_claim(claim, True, f"user:manager@{DEMO_DOMAIN}", now=when + timedelta(days=3))

    await reserve_fast_movers(now)

    # One dealer admin per tier, beside the first two dealers' logins seed.py makes.
    taken = {r["dealer"] for r in await User.select(User.dealer).where(User.dealer.is_not_null())}
    logins, password_hash = [], hash_password(DEMO_PASSWORD)
    for tier in ("provincial", "urban", "distributor", "new"):
        dealer = next((d for d in dealers if d["tier"] == tier and d["id"] not in taken), None)
        if dealer is None:
            continue
        login = DemoLogin(f"admin.{dealer['code'].lower()}@{DEMO_DOMAIN}", Role.dealer_admin.value, dealer["code"])
        await User.insert(User(email=login.email, name=login.email.split("@")[0], role=login.role, dealer=dealer["id"],
                               password_hash=password_hash))
        logins.append(login)
    return logins
