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
    full_feed_shrink_limit_pct: Decimal = Decimal("20.00")
    transfer_sla_hours: int = 4
    online_discount_pct: Decimal = Decimal("0.00")
    transfer_days: int = 2
    shipping_deadline_days: int = 2
    clearing: str = "central"
    minimum_payout: Decimal = Decimal("10.00")
    order_confirm_minutes: int = 30
    customer_share_pct: Decimal = Decimal("50.00")
    phone_minutes_per_line: int = 12
    # Routing (orders offered to source dealers, urgent needs in radius waves).
    order_accept_minutes: int = 90
    urgent_first_radius_km: int = 50
    urgent_second_radius_km: int = 200
    urgent_wave_minutes: int = 60
    urgent_central_wave: bool = True

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
        NetworkSettings.online_discount_pct, NetworkSettings.transfer_days, NetworkSettings.shipping_deadline_days,
        NetworkSettings.clearing, NetworkSettings.minimum_payout,
        NetworkSettings.order_confirm_minutes, NetworkSettings.customer_share_pct,
        NetworkSettings.phone_minutes_per_line,
        NetworkSettings.order_accept_minutes, NetworkSettings.urgent_first_radius_km,
        NetworkSettings.urgent_second_radius_km, NetworkSettings.urgent_wave_minutes, NetworkSettings.urgent_central_wave,
    ).first()
    return NetworkRules(**row) if row else NetworkRules()


#: How the monthly settlement pays (see settlement/clearing.py).
CLEARING_MODES = ("central", "bilateral")

# Each setting's range, and what a manager is told when a value is outside it.
_WHOLE = {
    "stale_feed_hours": (1, 24 * 90, "between 1 hour and 90 days"),
    "transfer_sla_hours": (1, 240, "between 1 and 240 working hours"),
    "transfer_days": (1, 20, "between 1 and 20 working days"),
    "shipping_deadline_days": (1, 20, "between 1 and 20 working days"),
    "order_confirm_minutes": (5, 24 * 60, "between 5 minutes and 24 hours"),
    "phone_minutes_per_line": (1, 120, "between 1 and 120 minutes"),
    "order_accept_minutes": (5, 24 * 60, "between 5 minutes and 24 working hours"),
    "urgent_first_radius_km": (5, 500, "between 5 and 500 km"),
    "urgent_second_radius_km": (10, 1500, "between 10 and 1500 km"),
    "urgent_wave_minutes": (5, 24 * 60, "between 5 minutes and 24 hours"),
}
_PERCENT = ("transfer_discount_pct", "full_feed_reject_limit_pct", "full_feed_shrink_limit_pct", "online_discount_pct")
MAX_PAYOUT = Decimal("100000")


def check_setting(field: str, value: object) -> object:
    """One setting as a manager saves it: in its range, or Invalid naming it."""
    if field in _WHOLE:
        low, high, message = _WHOLE[field]
        if not low <= value <= high:
            raise Invalid(message, field)
    elif field in _PERCENT:
        if not value.is_finite() or not 0 <= value <= 100:
            raise Invalid("a percentage between 0 and 100", field)
    elif field == "customer_share_pct":
        if not value.is_finite() or not 1 <= value <= 100:  # 0 would refuse every order
            raise Invalid("at least 1%", field)
    elif field == "clearing":
        if value not in CLEARING_MODES:
            raise Invalid(f"one of {', '.join(CLEARING_MODES)}", "clearing")
    elif field == "minimum_payout":
        if not value.is_finite() or not 0 <= value <= MAX_PAYOUT or value != value.quantize(Decimal("0.01")):
            raise Invalid("an amount from 0 to 100000 with at most two decimals", "minimum_payout")
    return value


def check_rules(rules: NetworkRules) -> NetworkRules:
    """Every setting in its range (see :func:`check_setting`)."""
    for field in (*_WHOLE, *_PERCENT, "customer_share_pct", "clearing", "minimum_payout"):
        check_setting(field, getattr(rules, field))
    if rules.urgent_second_radius_km <= rules.urgent_first_radius_km:
        raise Invalid("wider than the first radius", "urgent_second_radius_km")
    return rules


async def update_rules(rules: NetworkRules) -> NetworkRules:
    rules = check_rules(rules)
    await NetworkSettings.update({
        NetworkSettings.stale_feed_hours: rules.stale_feed_hours,
        NetworkSettings.transfer_discount_pct: rules.transfer_discount_pct,
        NetworkSettings.full_feed_reject_limit_pct: rules.full_feed_reject_limit_pct,
        NetworkSettings.full_feed_shrink_limit_pct: rules.full_feed_shrink_limit_pct,
        NetworkSettings.transfer_sla_hours: rules.transfer_sla_hours,
        NetworkSettings.online_discount_pct: rules.online_discount_pct,
        NetworkSettings.transfer_days: rules.transfer_days,
        NetworkSettings.shipping_deadline_days: rules.shipping_deadline_days,
        NetworkSettings.clearing: rules.clearing,
        NetworkSettings.minimum_payout: rules.minimum_payout,
        NetworkSettings.order_confirm_minutes: rules.order_confirm_minutes,
        NetworkSettings.customer_share_pct: rules.customer_share_pct,
        NetworkSettings.phone_minutes_per_line: rules.phone_minutes_per_line,
        NetworkSettings.order_accept_minutes: rules.order_accept_minutes,
        NetworkSettings.urgent_first_radius_km: rules.urgent_first_radius_km,
        NetworkSettings.urgent_second_radius_km: rules.urgent_second_radius_km,
        NetworkSettings.urgent_wave_minutes: rules.urgent_wave_minutes,
        NetworkSettings.urgent_central_wave: rules.urgent_central_wave,
    }, force=True)
    from marketplace.network.directory import forget  # the directory imports this module

    forget()  # the directory's snapshot carries the rules
    return rules
