"""The zone agents' monthly adoption bonus: a versioned rule turning the adoption figures of an
agent's dealers into one figure per agent, reported to managers (page and CSV). It is not paid
through the dealers' settlement: the importer pays its own employees. docs/agents.md works one
month out by hand.

For one agent and one month (its dealers as assigned when the report is made):
- active part: ``per_active_dealer`` for each of its dealers active at the month's end (pulse's
  "active dealers": searched, requested or published in the 30 days before);
- time part: ``per_hour_saved`` for each hour its dealers saved against the phone (pulse's "time
  saved"), on the exact minutes, rounded to the cent once;
- share part: ``per_share_point`` for each percentage point of the dealers' combined portal share
  above ``share_floor_pct``; nothing when they bought nothing. The combined share is pulse's
  ``portal_share`` (pulse/kpis.py) over the agent's dealers together:
  sum(portal_requests) / sum(portal_requests + phone_orders), in percent to the cent;
- the sum, at most ``cap``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import ROUND_HALF_UP, Decimal

from marketplace.agents.assignments import agent_dealer_ids, get_agent, list_agents
from marketplace.agents.tables import AgentBonusRule
from marketplace.errors import Invalid
from marketplace.pulse.kpis import Scope, kpis, month_window
from marketplace.settlement.periods import check_period

CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class BonusRule:
    version: int
    effective_from: date
    per_active_dealer: Decimal
    per_hour_saved: Decimal
    share_floor_pct: Decimal
    per_share_point: Decimal
    cap: Decimal


#: Version 1, as the migration writes it (used when the table holds no version in force).
DEFAULT_RULE = BonusRule(1, date(2025, 1, 1), Decimal("20.00"), Decimal("2.00"), Decimal("50.00"), Decimal("5.00"),
                         Decimal("1000.00"))


async def rule_for(period: str) -> BonusRule:
    """The version in force on the month's first day."""
    first = date.fromisoformat(check_period(period) + "-01")
    row = await AgentBonusRule.select().where(AgentBonusRule.effective_from <= first).order_by(
        AgentBonusRule.effective_from, ascending=False).order_by(AgentBonusRule.version, ascending=False).first()
    if row is None:
        return DEFAULT_RULE
    return BonusRule(row["version"], row["effective_from"], row["per_active_dealer"], row["per_hour_saved"],
                     row["share_floor_pct"], row["per_share_point"], row["cap"])


async def rule_history() -> list[dict]:
    return await AgentBonusRule.select().order_by(AgentBonusRule.version, ascending=False)


async def add_rule(rule: BonusRule, created_by: str) -> int:
    """A new version (the next number), in force from ``rule.effective_from``."""
    for name in ("per_active_dealer", "per_hour_saved", "per_share_point", "cap"):
        value = getattr(rule, name)
        if not isinstance(value, Decimal) or value < 0 or value > Decimal("100000"):
            raise Invalid("an amount from 0 to 100000", name)
    if not Decimal("0") <= rule.share_floor_pct <= Decimal("100"):
        raise Invalid("a percentage from 0 to 100", "share_floor_pct")
    async with AgentBonusRule._meta.db.transaction():
        last = await AgentBonusRule.select(AgentBonusRule.version).order_by(
            AgentBonusRule.version, ascending=False).first()
        version = (last["version"] if last else DEFAULT_RULE.version) + 1
        await AgentBonusRule.insert(AgentBonusRule(
            version=version, effective_from=rule.effective_from, per_active_dealer=rule.per_active_dealer,
            per_hour_saved=rule.per_hour_saved, share_floor_pct=rule.share_floor_pct,
            per_share_point=rule.per_share_point, cap=rule.cap, created_by=created_by[:300]))
    return version


@dataclass(frozen=True, slots=True)
class Bonus:
    agent_id: int
    agent_email: str
    agent_name: str
    period: str
    rule_version: int
    dealers: int
    active_dealers: int
    minutes_saved: int
    portal_purchases: int  # pulse's portal_requests, summed over the dealers
    off_portal_purchases: int  # pulse's phone_orders, summed over the dealers
    share_pct: Decimal | None
    active_part: Decimal
    time_part: Decimal
    share_part: Decimal
    total: Decimal
    capped: bool


def compute(rule: BonusRule, *, active_dealers: int, minutes_saved: int, portal: int, off_portal: int
            ) -> tuple[Decimal | None, Decimal, Decimal, Decimal, Decimal, bool]:
    """(share %, active part, time part, share part, total, capped) of one agent's month: ``portal`` and
    ``off_portal`` are its dealers' pulse ``portal_requests`` and ``phone_orders``, each summed."""
    active_part = (rule.per_active_dealer * active_dealers).quantize(CENT, ROUND_HALF_UP)
    time_part = (rule.per_hour_saved * minutes_saved / 60).quantize(CENT, ROUND_HALF_UP)
    purchases = portal + off_portal
    share_pct = (Decimal(100) * portal / purchases).quantize(CENT, ROUND_HALF_UP) if purchases else None
    share_part = Decimal("0.00")
    if share_pct is not None and share_pct > rule.share_floor_pct:
        share_part = ((share_pct - rule.share_floor_pct) * rule.per_share_point).quantize(CENT, ROUND_HALF_UP)
    total = active_part + time_part + share_part
    return share_pct, active_part, time_part, share_part, min(total, rule.cap), total > rule.cap


async def agent_bonus(agent_id: int, period: str, now: datetime | None = None,
                      rule: BonusRule | None = None) -> Bonus:
    agent = await get_agent(agent_id)
    rule = rule or await rule_for(period)
    month_window(period, now)  # refuses a bad or future month even for an agent with no dealers
    ids = await agent_dealer_ids(agent_id)
    codes = await _codes(ids)
    active = minutes = portal = off = 0
    for dealer_id in ids:
        figures = await kpis(period, Scope(dealer_id, codes[dealer_id]), now)
        active += figures.active_dealers
        minutes += figures.time_saved_minutes
        portal += figures.portal_requests
        off += figures.phone_orders
    share_pct, active_part, time_part, share_part, total, capped = compute(
        rule, active_dealers=active, minutes_saved=minutes, portal=portal, off_portal=off)
    return Bonus(agent_id, agent["email"], agent["name"], period, rule.version, len(ids), active, minutes, portal, off,
                 share_pct, active_part, time_part, share_part, total, capped)


async def _codes(ids: list[int]) -> dict[int, str]:
    from marketplace.network.tables import Dealer

    if not ids:
        return {}
    return {r["id"]: r["code"] for r in await Dealer.select(Dealer.id, Dealer.code).where(Dealer.id.is_in(ids))}


async def bonus_report(period: str, now: datetime | None = None) -> list[Bonus]:
    """Every active zone agent's bonus for the month."""
    rule = await rule_for(period)
    return [await agent_bonus(a["id"], period, now or datetime.now(timezone.utc), rule)
            for a in await list_agents() if a["active"]]


def bonus_csv(rows: list[Bonus]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Agente", "Email", "Mese", "Versione regola", "Concessionari", "Attivi", "Minuti risparmiati",
                     "Acquisti dal portale", "Acquisti fuori portale", "Quota portale %", "Quota attivi (EUR)",
                     "Quota tempo (EUR)", "Quota adozione (EUR)", "Bonus (EUR)", "Tetto raggiunto"])
    for b in rows:
        writer.writerow([b.agent_name, b.agent_email, b.period, b.rule_version, b.dealers, b.active_dealers,
                         b.minutes_saved, b.portal_purchases, b.off_portal_purchases, _it(b.share_pct),
                         _it(b.active_part), _it(b.time_part), _it(b.share_part), _it(b.total),
                         "sì" if b.capped else "no"])
    return "\ufeff" + out.getvalue()


def _it(amount: Decimal | None) -> str:
    return "" if amount is None else f"{amount:.2f}".replace(".", ",")
