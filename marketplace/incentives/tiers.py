"""Dealer tiers: the brief's four kinds of dealer, each with its incentive.

========================  ============  =====================================================
the brief                 code          incentive
========================  ============  =====================================================
piccolo negozio di        provincial    priority and reserved stock on the central warehouse's
provincia                               fast movers
concessionario urbano     urban         progressive discount (5/10/15%) on the fees by the
medio                                   month's online volume
grande distributore       distributor   co-branded marketing contributions (a yearly budget)
nuovo concessionario      new           free trial: no fees for 30 days after activation
========================  ============  =====================================================

The tier is the dealer's ``tier`` (the network directory's column); this module sets it with a
history (who, when, why) and proposes one from the dealer's figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from marketplace.errors import Invalid, NotFound
from marketplace.formatting import Formatter
from marketplace.incentives.figures import month_figures, stock_rows
from marketplace.incentives.rules import Rules, rules_at
from marketplace.incentives.tables import TierChange
from marketplace.network.dealers import set_dealer_tier
from marketplace.network.tables import Dealer, Tier
from marketplace.settlement.periods import check_period, period_bounds, period_of

TIERS = tuple(t.value for t in Tier)
#: How the brief names each tier (Italian, as pages and explanations write it).
TIER_NAMES = {"provincial": "piccolo negozio di provincia", "urban": "concessionario urbano medio",
              "distributor": "grande distributore", "new": "nuovo concessionario"}


async def _dealer(dealer_id: int) -> dict:
    row = await Dealer.select(Dealer.id, Dealer.code, Dealer.tier, Dealer.created_at).where(
        Dealer.id == dealer_id).first()
    if row is None:
        raise NotFound(f"no dealer {dealer_id}", "dealer")
    return row


async def tier_of(dealer_id: int) -> str:
    """The dealer's tier now: provincial, urban, distributor or new."""
    return (await _dealer(dealer_id))["tier"]


async def tiers_at(moment: datetime) -> dict[int, str]:
    """Every dealer's tier at ``moment``: the last change recorded by then, else (no change
    recorded before) the first change's previous tier, else its tier today."""
    rows = await Dealer.raw(
        "SELECT d.id, COALESCE("
        " (SELECT c.tier FROM tier_change c WHERE c.dealer = d.id AND c.changed_at <= {} ORDER BY c.changed_at DESC,"
        "  c.id DESC LIMIT 1),"
        " (SELECT NULLIF(c.previous, '') FROM tier_change c WHERE c.dealer = d.id ORDER BY c.changed_at, c.id LIMIT 1),"
        " d.tier) AS tier FROM dealer d", moment)
    return {r["id"]: r["tier"] for r in rows}


async def activation_of(dealer_id: int) -> datetime:
    """When the dealer joined the network (its record's creation)."""
    return (await _dealer(dealer_id))["created_at"]


async def set_tier(dealer_id: int, tier: str, by: str, reason: str = "", at: datetime | None = None) -> None:
    """Set the dealer's tier and record the change (nothing recorded when it is the same)."""
    if tier not in TIERS:
        raise Invalid(f"unknown tier {tier!r}: use one of {', '.join(TIERS)}", "tier")
    reason = " ".join(reason.split())
    if len(reason) > 500:
        raise Invalid("at most 500 characters", "reason")
    async with TierChange._meta.db.transaction():
        current = await Dealer.select(Dealer.tier).where(Dealer.id == dealer_id).lock_rows().first()
        if current is None:
            raise NotFound(f"no dealer {dealer_id}", "dealer")
        if current["tier"] == tier:
            raise Invalid(f"the dealer is {tier} already", "tier")
        await set_dealer_tier(dealer_id, tier)
        await TierChange.insert(TierChange(dealer=dealer_id, tier=tier, previous=current["tier"], reason=reason,
                                           changed_by=by, changed_at=at or datetime.now(timezone.utc)))


async def tier_history(dealer_id: int) -> list[dict]:
    return await TierChange.select().where(TierChange.dealer == dealer_id).order_by(
        TierChange.changed_at, ascending=False).order_by(TierChange.id, ascending=False)


def _previous_months(period: str, n: int) -> list[str]:
    months, year, month = [], int(period[:4]), int(period[5:])
    for _ in range(n):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        months.append(f"{year:04d}-{month:02d}")
    return months


@dataclass(frozen=True, slots=True)
class Proposal:
    tier: str
    reason: str  # Italian, as the manager's page shows it
    average_volume: Decimal
    stock_rows: int
    days_active: int


def propose_from(days_active: int, stock: int, average_volume: Decimal, rules: Rules) -> Proposal:
    """The rule: joined less than ``new_dealer_days`` ago -> new; a stock of at least
    ``distributor_min_stock`` parts -> distributor; an average monthly online volume (last three
    months) of at least ``urban_min_volume`` -> urban; otherwise provincial."""
    if days_active < rules.new_dealer_days:
        tier, reason = "new", f"attivo da {days_active} giorni (meno di {rules.new_dealer_days})"
    elif stock >= rules.distributor_min_stock:
        tier, reason = "distributor", f"{stock} ricambi a magazzino (almeno {rules.distributor_min_stock})"
    elif average_volume >= rules.urban_min_volume:
        tier, reason = "urban", f"volume online medio {average_volume} € al mese (almeno {rules.urban_min_volume} €)"
    else:
        tier, reason = "provincial", (f"volume online medio {average_volume} € al mese (meno di "
                                      f"{rules.urban_min_volume} €) e {stock} ricambi a magazzino")
    return Proposal(tier, reason, average_volume, stock, days_active)


async def propose_tier(dealer_id: int, now: datetime | None = None) -> Proposal:
    """The tier the rule proposes from the dealer's figures (a manager decides)."""
    now = now or datetime.now(timezone.utc)
    dealer = await _dealer(dealer_id)
    rules = await rules_at(now)
    months = _previous_months(period_of(now), 3)
    total = Decimal("0.00")
    for period in months:
        total += (await month_figures(period, [dealer_id]))[dealer_id].volume
    average = (total / len(months)).quantize(Decimal("0.01"))
    return propose_from((now - dealer["created_at"]).days, await stock_rows(dealer_id), average, rules)


@dataclass(frozen=True, slots=True)
class MissedTarget:
    target: str  # online_volume | portal_use
    figure: Decimal
    goal: Decimal
    missing: Decimal
    message: str  # Italian


async def targets_missed(dealer_id: int, period: str) -> list[MissedTarget]:
    """The tier's targets the dealer missed in ``period`` (YYYY-MM; the month so far for this one):
    urban: the first discount threshold of online volume; distributor: the urban tier's volume
    (``urban_min_volume``); provincial and new: at least one purchase or sale through the portal."""
    check_period(period)
    tier = (await tiers_at(min(period_bounds(period)[1], datetime.now(timezone.utc)) - timedelta(microseconds=1)))
    dealer_tier = tier.get(dealer_id)
    if dealer_tier is None:
        raise NotFound(f"no dealer {dealer_id}", "dealer")
    rules = await rules_at(min(period_bounds(period)[1] - timedelta(microseconds=1), datetime.now(timezone.utc)))
    volume = (await month_figures(period, [dealer_id]))[dealer_id].volume
    if dealer_tier == "urban":
        goal, target = rules.threshold_1, "online_volume"
    elif dealer_tier == "distributor":
        goal, target = rules.urban_min_volume, "online_volume"
    else:
        goal, target = Decimal("0.01"), "portal_use"
    if volume >= goal:
        return []
    if target == "portal_use":
        message = "nessun acquisto o vendita tramite il portale nel mese"
    else:
        money = Formatter("it").money
        message = f"volume online {money(volume)}, sotto l'obiettivo di {money(goal)}: mancano {money(goal - volume)}"
    return [MissedTarget(target, volume, goal, goal - volume if target == "online_volume" else goal, message)]
