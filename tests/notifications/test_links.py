"""The notifications' links go where the pages are: kinds.path_of agrees with the app's named routes."""

from marketplace.notifications.kinds import KINDS, path_of


def test_each_kind_opens_its_item(app):
    for kind in KINDS:
        if kind.startswith("transfer."):
            assert path_of(kind, 42) == app.route_reverse("transfers:detail", transfer_id=42)
        elif kind == "order.offered":
            assert path_of(kind, 42) == app.route_reverse("pickup:offers") + "#order-42"
        elif kind.startswith("order."):
            assert path_of(kind, 42) == app.route_reverse("counter:order", order_id=42)
    assert path_of("urgent_need", 7) == app.route_reverse("urgent") + "#need-7"
