"""Where one domain is plugged into another's generic machinery: done once at startup, by the app
and by the CLI commands that need it. Kept here so that no domain imports the one it serves
(the outbox knows nothing of orders)."""

from __future__ import annotations

from marketplace.accounts.principal import register_acting_check
from marketplace.agents.assignments import may_act_for
from marketplace.incentives.applied import book_month
from marketplace.notifications.compose import NOTIFICATION_TOPICS, compose_notification, notify, recipients
from marketplace.outbox.compose import Letter
from marketplace.outbox.compose import register as register_mail
from marketplace.pickup.order_mail import ORDER_MAIL_TOPICS, compose_order_mail
from marketplace.pulse.report import TOPICS as PULSE_REPORT_TOPICS
from marketplace.pulse.report import compose_monthly_report
from marketplace.settlement.settlements import before_compute


async def _store_recipients(connection, dealer_id: int, topic: str):
    """A store's order mail goes to the dealer's notification address and its people who want new orders."""
    return await recipients(connection, dealer_id, "order.new")


async def _order_mail(connection, topic: str, payload: dict) -> Letter | None:
    """Pickup's order mails; a new order is also listed in its dealer's notifications."""
    if topic == "order.new":
        await notify(connection, topic, payload)
    return await compose_order_mail(connection, topic, payload, store_recipients=_store_recipients)


def connect_domains() -> None:
    """Register each domain's mail composer with the outbox (calling again is harmless)."""
    register_mail(ORDER_MAIL_TOPICS, _order_mail)
    # Transfers, urgent needs (the routing branch's urgent_need.posted) and the daily digest.
    register_mail(NOTIFICATION_TOPICS, compose_notification)
    before_compute(book_month)  # the month's incentive rebates and waivers, booked as it is settled
    register_acting_check(may_act_for)  # which dealers a zone agent may act for (marketplace/agents/)
    register_mail(PULSE_REPORT_TOPICS, compose_monthly_report)
