"""The network's settings that managers edit: freshness, transfer price default, feed safety."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from marketplace.errors import Invalid
from marketplace.network.tables import NetworkSettings


@dataclass(frozen=True, slots=True)
class NetworkRules:
    stale_feed_hours: int = 48
    transfer_discount_pct: Decimal = Decimal("20.00")
    full_feed_reject_limit_pct: Decimal = Decimal("5.00")
    transfer_sla_hours: int = 4
    online_discount_pct: Decimal = Decimal("0.00")
    transfer_days: int = 2
    shipping_deadline_days: int = 2
    clearing: str = "central"
    minimum_payout: Decimal = Decimal("10.00")

    def is_stale(self, last_feed_at: datetime | None, now: datetime | None = None) -> bool:
        """A dealer with no feed yet, or whose last feed is older than the limit."""
        if last_feed_at is None:
            return True
        return (now or datetime.now(timezone.utc)) - last_feed_at > timedelta(hours=self.stale_feed_hours)


async def get_rules() -> NetworkRules:
    row = await NetworkSettings.select(
        NetworkSettings.stale_feed_hours, NetworkSettings.transfer_discount_pct,
        NetworkSettings.full_feed_reject_limit_pct, NetworkSettings.transfer_sla_hours,
        NetworkSettings.online_discount_pct, NetworkSettings.transfer_days, NetworkSettings.shipping_deadline_days,
        NetworkSettings.clearing, NetworkSettings.minimum_payout,
    ).first()
    return NetworkRules(**row) if row else NetworkRules()


def _percent(value: str, field: str) -> Decimal:
    try:
        number = Decimal(value.strip().replace(",", "."))
    except Exception:
        raise Invalid("not a number", field)
    if not number.is_finite() or not 0 <= number <= 100:
        raise Invalid("a percentage between 0 and 100", field)
    return number.quantize(Decimal("0.01"))


def _hours(form: dict[str, str], field: str, most: int, message: str) -> int:
    try:
        hours = int(form.get(field, "").strip())
    except ValueError:
        raise Invalid("a whole number of hours", field)
    if not 1 <= hours <= most:
        raise Invalid(message, field)
    return hours


def _whole_days(value: str, field: str) -> int:
    try:
        days = int(value.strip())
    except ValueError:
        raise Invalid("a whole number of working days", field)
    if not 1 <= days <= 20:
        raise Invalid("between 1 and 20 working days", field)
    return days


#: How the monthly settlement pays (see settlement/clearing.py).
CLEARING_MODES = ("central", "bilateral")


def _clearing(value: str) -> str:
    if value not in CLEARING_MODES:
        raise Invalid(f"one of {', '.join(CLEARING_MODES)}", "clearing")
    return value


def _amount(value: str, field: str) -> Decimal:
    try:
        number = Decimal(value.strip().replace(",", "."))
    except Exception:
        raise Invalid("not an amount", field)
    if not number.is_finite() or not 0 <= number <= 100_000 or number != number.quantize(Decimal("0.01")):
        raise Invalid("an amount from 0 to 100000 with at most two decimals", field)
    return number.quantize(Decimal("0.01"))


async def update_rules(form: dict[str, str]) -> NetworkRules:
    rules = NetworkRules(
        stale_feed_hours=_hours(form, "stale_feed_hours", 24 * 90, "between 1 hour and 90 days"),
        transfer_sla_hours=_hours(form, "transfer_sla_hours", 240, "between 1 and 240 working hours"),
        transfer_discount_pct=_percent(form.get("transfer_discount_pct", ""), "transfer_discount_pct"),
        full_feed_reject_limit_pct=_percent(form.get("full_feed_reject_limit_pct", ""), "full_feed_reject_limit_pct"),
        online_discount_pct=_percent(form.get("online_discount_pct", ""), "online_discount_pct"),
        transfer_days=_whole_days(form.get("transfer_days", ""), "transfer_days"),
        shipping_deadline_days=_whole_days(form.get("shipping_deadline_days", "2"), "shipping_deadline_days"),
        clearing=_clearing(form.get("clearing", "central")),
        minimum_payout=_amount(form.get("minimum_payout", "10.00"), "minimum_payout"),
    )
    await NetworkSettings.update({
        NetworkSettings.stale_feed_hours: rules.stale_feed_hours,
        NetworkSettings.transfer_discount_pct: rules.transfer_discount_pct,
        NetworkSettings.full_feed_reject_limit_pct: rules.full_feed_reject_limit_pct,
        NetworkSettings.transfer_sla_hours: rules.transfer_sla_hours,
        NetworkSettings.online_discount_pct: rules.online_discount_pct,
        NetworkSettings.transfer_days: rules.transfer_days,
        NetworkSettings.shipping_deadline_days: rules.shipping_deadline_days,
        NetworkSettings.clearing: rules.clearing,
        NetworkSettings.minimum_payout: rules.minimum_payout,
    }, force=True)
    from marketplace.network.directory import forget  # the directory imports this module

    forget()  # the directory's snapshot carries the rules
    return rules
