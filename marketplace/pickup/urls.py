"""Where the pickup pages are, for links that leave the site (the order mails): the one place that
writes these paths outside the routes themselves. Pages redirect by the routes' names instead;
tests/pickup/test_urls.py checks that both agree."""

from __future__ import annotations

from marketplace.settings import get_settings


def customer_order_url(token: str) -> str:
    """The customer's page of an order (the shop's, opened with the order's secret token)."""
    return f"{get_settings().base_url}/shop/orders/{token}"


def counter_order_url(order_id: int) -> str:
    """The counter's page of an order, for the pickup point's staff."""
    return f"{get_settings().base_url}/pickup/orders/{order_id}"


def confirm_order_url(confirm_token: str) -> str:
    """The page where the customer confirms an order (the link only the confirmation mail carries)."""
    return f"{get_settings().base_url}/shop/confirm/{confirm_token}"
