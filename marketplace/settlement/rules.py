"""Commission rules: versioned and dated; each version records who made it and what changed."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import datetime, timezone
from decimal import Decimal

from marketplace.decimal_input import parse_decimal
from marketplace.errors import Invalid
from marketplace.money import MAX_AMOUNT
from marketplace.settlement.tables import CommissionRules

PERCENT_FIELDS = ("referral_pct", "hub_pct", "platform_fee_pct")
AMOUNT_FIELDS = ("pickup_fee", "transfer_handling_fee")


@dataclass(frozen=True, slots=True)
class Rules:
    version: int
    effective_from: datetime
    referral_pct: Decimal
    pickup_fee: Decimal
    hub_pct: Decimal
    platform_fee_pct: Decimal
    transfer_handling_fee: Decimal


_COLUMNS = [getattr(CommissionRules, f.name) for f in fields(Rules)]


async def rules_at(moment: datetime | None = None) -> Rules:
    """The version in force at ``moment`` (now by default): the latest effective by then."""
    row = await CommissionRules.select(*_COLUMNS).where(
        CommissionRules.effective_from <= (moment or datetime.now(timezone.utc))
    ).order_by(CommissionRules.effective_from, ascending=False).order_by(CommissionRules.version, ascending=False).first()
    if row is None:  # pragma: no cover - the first version is created by the migrations
        raise Invalid("no commission rules are in force", "rules")
    return Rules(**row)


async def history() -> list[dict]:
    return await CommissionRules.select().order_by(CommissionRules.version, ascending=False).output(load_json=True)


def _value(form: dict[str, str], name: str) -> Decimal:
    return parse_decimal(form.get(name, ""), name, high=100 if name in PERCENT_FIELDS else MAX_AMOUNT)


def _check_one_total(values: dict[str, Decimal]) -> None:
    """The percentages are each a share of one order's total (a hub order pays all three): together
    they cannot exceed it. Invalid names the field that takes the sum past 100%."""
    running = Decimal("0")
    for name in PERCENT_FIELDS:
        running += values[name]
        if running > 100:
            total = sum(values[field] for field in PERCENT_FIELDS)
            raise Invalid(f"referral, hub commission and platform fee are shares of one order total: together at "
                          f"most 100%, these add up to {total}%", name)


async def new_version(form: dict[str, str], by: str, effective_from: datetime | None = None) -> Rules:
    """Record a new version effective from ``effective_from`` (now by default); earlier
    transactions keep the version they were computed with."""
    current = await rules_at()
    values = {name: _value(form, name) for name in PERCENT_FIELDS + AMOUNT_FIELDS}
    _check_one_total(values)
    changes = {name: {"from": str(getattr(current, name)), "to": str(value)}
               for name, value in values.items() if value != getattr(current, name)}
    if not changes:
        raise Invalid("nothing changed", "form")
    latest = await CommissionRules.select(CommissionRules.version).order_by(
        CommissionRules.version, ascending=False).first()
    rules = Rules(version=latest["version"] + 1, effective_from=effective_from or datetime.now(timezone.utc), **values)
    await CommissionRules.insert(CommissionRules(**asdict(rules), created_by=by, changes=changes))
    return rules
