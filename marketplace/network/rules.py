"""The network's settings that managers edit: freshness, transfer price default, feed safety."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from marketplace.decimal_input import parse_decimal
from marketplace.errors import Invalid
from marketplace.network.tables import NetworkSettings


@dataclass(frozen=True, slots=True)
class NetworkRules:
    stale_feed_hours: int = 48
    transfer_discount_pct: Decimal = Decimal("20.00")
    full_feed_reject_limit_pct: Decimal = Decimal("5.00")
    full_feed_shrink_limit_pct: Decimal = Decimal("20.00")
    transfer_sla_hours: int = 4
    online_discount_pct: Decimal = Decimal("0.00")
    transfer_days: int = 2
    order_confirm_minutes: int = 30
    customer_share_pct: Decimal = Decimal("50.00")

    def is_stale(self, last_feed_at: datetime | None, now: datetime | None = None) -> bool:
        """A dealer with no feed yet, or whose last feed is older than the limit."""
        if last_feed_at is None:
            return True
        return (now or datetime.now(timezone.utc)) - last_feed_at > timedelta(hours=self.stale_feed_hours)


async def get_rules() -> NetworkRules:
    row = await NetworkSettings.select(
        NetworkSettings.stale_feed_hours, NetworkSettings.transfer_discount_pct,
        NetworkSettings.full_feed_reject_limit_pct, NetworkSettings.full_feed_shrink_limit_pct,
        NetworkSettings.transfer_sla_hours,
        NetworkSettings.online_discount_pct, NetworkSettings.transfer_days,
        NetworkSettings.order_confirm_minutes, NetworkSettings.customer_share_pct,
    ).first()
    return NetworkRules(**row) if row else NetworkRules()


def _percent(value: str, field: str) -> Decimal:
    return parse_decimal(value, field, high=100)


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


def _minutes(value: str, field: str) -> int:
    try:
        minutes = int(value.strip())
    except ValueError:
        raise Invalid("a whole number of minutes", field)
    if not 5 <= minutes <= 24 * 60:
        raise Invalid("between 5 minutes and 24 hours", field)
    return minutes


def _share(value: str, field: str) -> Decimal:
    share = _percent(value, field)
    if share < 1:  # 0 would refuse every order
        raise Invalid("at least 1%", field)
    return share


async def update_rules(form: dict[str, str]) -> NetworkRules:
    rules = NetworkRules(
        stale_feed_hours=_hours(form, "stale_feed_hours", 24 * 90, "between 1 hour and 90 days"),
        transfer_sla_hours=_hours(form, "transfer_sla_hours", 240, "between 1 and 240 working hours"),
        transfer_discount_pct=_percent(form.get("transfer_discount_pct", ""), "transfer_discount_pct"),
        full_feed_reject_limit_pct=_percent(form.get("full_feed_reject_limit_pct", ""), "full_feed_reject_limit_pct"),
        full_feed_shrink_limit_pct=_percent(form.get("full_feed_shrink_limit_pct", "20"), "full_feed_shrink_limit_pct"),
        online_discount_pct=_percent(form.get("online_discount_pct", ""), "online_discount_pct"),
        transfer_days=_whole_days(form.get("transfer_days", ""), "transfer_days"),
        order_confirm_minutes=_minutes(form.get("order_confirm_minutes", "30"), "order_confirm_minutes"),
        customer_share_pct=_share(form.get("customer_share_pct", "50"), "customer_share_pct"),
    )
    await NetworkSettings.update({
        NetworkSettings.stale_feed_hours: rules.stale_feed_hours,
        NetworkSettings.transfer_discount_pct: rules.transfer_discount_pct,
        NetworkSettings.full_feed_reject_limit_pct: rules.full_feed_reject_limit_pct,
        NetworkSettings.full_feed_shrink_limit_pct: rules.full_feed_shrink_limit_pct,
        NetworkSettings.transfer_sla_hours: rules.transfer_sla_hours,
        NetworkSettings.online_discount_pct: rules.online_discount_pct,
        NetworkSettings.transfer_days: rules.transfer_days,
        NetworkSettings.order_confirm_minutes: rules.order_confirm_minutes,
        NetworkSettings.customer_share_pct: rules.customer_share_pct,
    }, force=True)
    from marketplace.network.directory import forget  # the directory imports this module

    forget()  # the directory's snapshot carries the rules
    return rules
