"""Incentive rules: versioned and dated like the commission rules; each version records who made
it and what changed, and whatever a version touched (a rebate, a waiver, a claim, a reservation)
keeps its number."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import datetime, timezone
from decimal import Decimal

from marketplace.decimal_input import parse_decimal
from marketplace.errors import Invalid
from marketplace.incentives.tables import IncentiveRules
from marketplace.money import MAX_AMOUNT

PERCENT_FIELDS = ("pct_1", "pct_2", "pct_3")
AMOUNT_FIELDS = ("threshold_1", "threshold_2", "threshold_3", "marketing_budget", "urban_min_volume")
#: Whole numbers and their bounds.
COUNT_FIELDS = {"trial_days": (0, 365), "fast_movers": (0, 1000), "demand_days": (1, 365),
                "reservation_hours": (1, 24 * 30), "new_dealer_days": (0, 730), "distributor_min_stock": (0, 10_000_000)}
FIRST_VERSION_FROM = datetime(2000, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True, slots=True)
class Rules:
    version: int
    effective_from: datetime
    threshold_1: Decimal = Decimal("2000.00")
    threshold_2: Decimal = Decimal("5000.00")
    threshold_3: Decimal = Decimal("10000.00")
    pct_1: Decimal = Decimal("5.00")
    pct_2: Decimal = Decimal("10.00")
    pct_3: Decimal = Decimal("15.00")
    trial_days: int = 30
    marketing_budget: Decimal = Decimal("3000.00")
    fast_movers: int = 50
    demand_days: int = 90
    reservation_hours: int = 48
    new_dealer_days: int = 90
    distributor_min_stock: int = 1500
    urban_min_volume: Decimal = Decimal("1000.00")

    @property
    def steps(self) -> list[tuple[Decimal, Decimal]]:
        """(threshold of monthly online volume, percent off the fees), lowest first."""
        return [(self.threshold_1, self.pct_1), (self.threshold_2, self.pct_2), (self.threshold_3, self.pct_3)]


EDITABLE = PERCENT_FIELDS + AMOUNT_FIELDS + tuple(COUNT_FIELDS)
_COLUMNS = [getattr(IncentiveRules, f.name) for f in fields(Rules)]


async def rules_at(moment: datetime | None = None) -> Rules:
    """The version in force at ``moment`` (now by default): the latest effective by then."""
    row = await IncentiveRules.select(*_COLUMNS).where(
        IncentiveRules.effective_from <= (moment or datetime.now(timezone.utc))
    ).order_by(IncentiveRules.effective_from, ascending=False).order_by(IncentiveRules.version, ascending=False).first()
    if row is None:
        if await IncentiveRules.exists():
            raise Invalid("no incentive rules are in force at that date", "rules")
        # The migration writes version 1 with the defaults; a database emptied by hand gets it back.
        await IncentiveRules.raw("INSERT INTO incentive_rules (version, effective_from) VALUES (1, {})"
                                 " ON CONFLICT DO NOTHING", FIRST_VERSION_FROM)
        return Rules(version=1, effective_from=FIRST_VERSION_FROM)
    return Rules(**row)


async def history() -> list[dict]:
    return await IncentiveRules.select().order_by(IncentiveRules.version, ascending=False).output(load_json=True)


def _value(form: dict[str, str], name: str):
    text = form.get(name, "")
    if name in COUNT_FIELDS:
        low, high = COUNT_FIELDS[name]
        try:
            number = int(text.strip())
        except ValueError:
            raise Invalid("a whole number", name) from None
        if not low <= number <= high:
            raise Invalid(f"from {low} to {high}", name)
        return number
    return parse_decimal(text, name, high=100 if name in PERCENT_FIELDS else MAX_AMOUNT)


def _check(values: dict) -> None:
    """Thresholds rise, and so do the percentages: a higher volume never earns less."""
    if not values["threshold_1"] < values["threshold_2"] < values["threshold_3"]:
        raise Invalid("each threshold must be higher than the one before", "threshold_2"
                      if values["threshold_1"] >= values["threshold_2"] else "threshold_3")
    if not values["pct_1"] <= values["pct_2"] <= values["pct_3"]:
        raise Invalid("a higher threshold never gives a smaller discount", "pct_2"
                      if values["pct_1"] > values["pct_2"] else "pct_3")


async def new_version(form: dict[str, str], by: str, effective_from: datetime | None = None) -> Rules:
    """Record a new version effective from ``effective_from`` (now by default); what earlier
    versions touched keeps their number. Fields left out of ``form`` keep their current value."""
    current = await rules_at()
    values = {name: _value(form, name) if name in form else getattr(current, name) for name in EDITABLE}
    _check(values)
    changes = {name: {"from": str(getattr(current, name)), "to": str(value)}
               for name, value in values.items() if value != getattr(current, name)}
    if not changes:
        raise Invalid("nothing changed", "form")
    latest = await IncentiveRules.select(IncentiveRules.version).order_by(IncentiveRules.version, ascending=False).first()
    rules = Rules(version=latest["version"] + 1, effective_from=effective_from or datetime.now(timezone.utc), **values)
    await IncentiveRules.insert(IncentiveRules(**asdict(rules), created_by=by, changes=changes))
    return rules
