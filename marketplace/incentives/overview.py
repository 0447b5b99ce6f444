"""A dealer's incentives for a month: its tier, the rules in force, its progress to each
threshold, what was applied; and the same explained in plain words (message ids with values:
pages translate them, the API answers in Italian)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from marketplace.calendar import ROME
from marketplace.errors import NotFound
from marketplace.formatting import Formatter
from marketplace.incentives.applied import Progress, progress, trial_window
from marketplace.incentives.claims import claims, used_budget
from marketplace.incentives.figures import Month, month_figures
from marketplace.incentives.reserved import reservations
from marketplace.incentives.rules import Rules, rules_at
from marketplace.incentives.tables import IncentiveBooking
from marketplace.incentives.tiers import TIER_NAMES, tiers_at
from marketplace.network.tables import Dealer
from marketplace.settlement.periods import check_begun


@dataclass
class Overview:
    dealer_id: int
    dealer_code: str
    dealer_name: str
    period: str
    tier: str
    tier_name: str
    rules: Rules
    month: Month
    progress: Progress
    applied: list[dict] = field(default_factory=list)
    trial_from: datetime | None = None
    trial_until: datetime | None = None
    marketing_budget: Decimal | None = None
    marketing_used: Decimal | None = None
    marketing_claims: list[dict] = field(default_factory=list)
    reserved_parts: int = 0

    def applied_total(self, kind: str) -> Decimal:
        return sum((a["amount"] for a in self.applied if a["kind"] == kind), Decimal("0.00"))

    def said(self, fmt: Formatter) -> list[tuple[str, dict]]:
        """The explanation (for templates: ``o.said(fmt)``)."""
        return explanations(self, fmt)

    @property
    def in_trial(self) -> bool:
        now = datetime.now(timezone.utc)
        return self.trial_until is not None and self.trial_from <= now < self.trial_until


async def overview(code: str, period: str, now: datetime | None = None) -> Overview:
    now = now or datetime.now(timezone.utc)
    start, end = check_begun(period, now)
    dealer = await Dealer.select(Dealer.id, Dealer.code, Dealer.name, Dealer.created_at).where(
        Dealer.code == code.strip().upper()).first()
    if dealer is None:
        raise NotFound(f"no dealer with code {code}", "code")
    moment = max(min(end, now), start + timedelta(microseconds=1)) - timedelta(microseconds=1)
    rules = await rules_at(moment)
    tier = (await tiers_at(moment)).get(dealer["id"], "urban")
    month = (await month_figures(period, [dealer["id"]]))[dealer["id"]]
    applied = await IncentiveBooking.select(
        IncentiveBooking.kind, IncentiveBooking.amount, IncentiveBooking.basis, IncentiveBooking.rules_version,
        IncentiveBooking.entry, IncentiveBooking.booked_at,
    ).where((IncentiveBooking.dealer == dealer["id"]) & (IncentiveBooking.period == period)).order_by(
        IncentiveBooking.id).output(load_json=True)
    result = Overview(dealer["id"], dealer["code"], dealer["name"], period, tier, TIER_NAMES.get(tier, tier), rules,
                      month, progress(month.volume, rules), applied)
    if tier == "new":
        result.trial_from, result.trial_until = trial_window(dealer["created_at"], rules)
    if tier == "distributor":
        year = moment.astimezone(ROME).year
        result.marketing_budget = rules.marketing_budget
        result.marketing_used = await used_budget(dealer["id"], year, pending=False)
        result.marketing_claims = [c for c in await claims(dealer["id"]) if c["year"] == year]
    if tier == "provincial":
        result.reserved_parts = len({r["part"] for r in await reservations(now)})
    return result


def explanations(o: Overview, fmt: Formatter) -> list[tuple[str, dict]]:
    """What the dealer reads on its scorecard: (message id, values), money formatted by ``fmt``."""
    p, r = o.progress, o.rules
    said: list[tuple[str, dict]] = []
    if o.tier == "urban":
        if p.threshold is not None:
            said.append(("Your online orders of %(volume)s this month earn a %(pct)s%% discount on the network fees",
                         {"volume": fmt.money(p.volume), "pct": fmt.number(p.pct)}))
        if p.next_threshold is not None:
            said.append(("You need %(missing)s more of online orders for the %(pct)s%% discount",
                         {"missing": fmt.money(p.missing), "pct": fmt.number(p.next_pct)}))
        else:
            said.append(("You have reached the highest discount", {}))
    elif o.tier == "new" and o.trial_until is not None:
        last_day = (o.trial_until - timedelta(seconds=1)).astimezone(ROME).date()
        if o.in_trial:
            said.append(("Free trial: no platform or handling fees until %(until)s", {"until": fmt.date(last_day)}))
        else:
            said.append(("Your free trial ended on %(until)s", {"until": fmt.date(last_day)}))
    elif o.tier == "distributor":
        said.append(("Co-branded marketing budget: %(left)s left of %(budget)s this year",
                     {"left": fmt.money(o.marketing_budget - o.marketing_used), "budget": fmt.money(o.marketing_budget)}))
    elif o.tier == "provincial":
        said.append(("%(parts)s fast movers of the central warehouse are reserved for you for %(hours)s hours "
                     "before other dealers see them", {"parts": o.reserved_parts, "hours": r.reservation_hours}))
        said.append(("Your transfer requests to the central warehouse are served first", {}))
    waived = o.applied_total("fee_waiver")
    if waived:
        said.append(("Fees waived this month: %(amount)s", {"amount": fmt.money(waived)}))
    rebate = o.applied_total("rebate")
    if rebate:
        said.append(("Discount credited on this month's statement: %(amount)s", {"amount": fmt.money(rebate)}))
    paid = o.applied_total("marketing")
    if paid:
        said.append(("Marketing contributions credited this month: %(amount)s", {"amount": fmt.money(paid)}))
    return said


def as_json(o: Overview, said: list[str]) -> dict:
    """The API's answer."""
    r, p = o.rules, o.progress
    in_force: dict = {"version": r.version, "effective_from": r.effective_from.isoformat()}
    if o.tier == "urban":
        in_force["progressive_discount"] = [{"threshold": str(t), "pct": str(pct)} for t, pct in r.steps]
    elif o.tier == "new":
        in_force["free_trial_days"] = r.trial_days
    elif o.tier == "distributor":
        in_force["marketing_budget_per_year"] = str(r.marketing_budget)
    elif o.tier == "provincial":
        in_force["reserved_stock"] = {"fast_movers": r.fast_movers, "demand_days": r.demand_days,
                                      "reservation_hours": r.reservation_hours}
    thresholds = [{"threshold": str(t), "pct": str(pct), "reached": o.month.volume >= t,
                   "missing": str(max(t - o.month.volume, Decimal("0.00")))} for t, pct in r.steps]
    answer = {
        "dealer": o.dealer_code, "period": o.period, "tier": o.tier, "tier_name": o.tier_name, "rules": in_force,
        "online_volume": str(o.month.volume), "fees": str(o.month.fees),
        "progress": {"discount_pct": str(p.pct), "next_threshold": str(p.next_threshold) if p.next_threshold else None,
                     "next_pct": str(p.next_pct) if p.next_pct else None,
                     "missing": str(p.missing) if p.missing is not None else None,
                     "thresholds": thresholds if o.tier == "urban" else []},
        "applied": [{"kind": a["kind"], "amount": str(a["amount"]), "rules_version": a["rules_version"],
                     "ledger_entry": a["entry"], "booked_at": a["booked_at"].isoformat(), "basis": a["basis"]}
                    for a in o.applied],
        "explanation": said,
    }
    if o.trial_until is not None:
        answer["free_trial"] = {"from": o.trial_from.isoformat(), "until": o.trial_until.isoformat()}
    if o.marketing_budget is not None:
        answer["marketing"] = {"budget": str(o.marketing_budget), "used": str(o.marketing_used),
                               "left": str(o.marketing_budget - o.marketing_used),
                               "claims": [{"id": c["id"], "amount": str(c["amount"]), "status": c["status"]}
                                          for c in o.marketing_claims]}
    if o.tier == "provincial":
        answer["reserved_parts"] = o.reserved_parts
    return answer
