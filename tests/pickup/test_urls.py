"""The order mails' links go where the pages are: pickup/urls.py agrees with the app's named routes."""

from marketplace.pickup.urls import confirm_order_url, counter_order_url, customer_order_url
from marketplace.settings import get_settings


def test_the_mail_links_are_the_pages_routes(app):
    base = get_settings().base_url
    assert customer_order_url("Tok3n") == base + app.route_reverse("shop:order", token="Tok3n")
    assert counter_order_url(42) == base + app.route_reverse("counter:order", order_id=42)
    assert confirm_order_url("C0nf") == base + app.route_reverse("shop:confirm", confirm_token="C0nf")
