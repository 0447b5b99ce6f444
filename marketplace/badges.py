"""Per-request additions for pages: the header's badges, read from the domains that count them
(app wiring, beside app.py: the web toolkit knows no domain)."""

from __future__ import annotations

from litestar import Request

from marketplace.matching.queries import waiting_count
from marketplace.network.logo import current_logo
from marketplace.notifications.inbox import unread_count
from marketplace.pickup.order_views import to_prepare_count
from marketplace.web.paths import API_PREFIX


async def count_waiting_transfers(request: Request) -> None:
    """The header's badges: transfers waiting for this dealer's answer, customer orders to prepare
    at its pickup points, the signed-in person's unread notifications (pages only, not the API)."""
    principal = request.scope.get("user")
    if request.method == "GET" and not request.url.path.startswith((API_PREFIX, "/static/", "/search/results", "/logo")):
        request.state.logo = await current_logo()  # the network's logo in the header (a process cache)
    if principal is not None and principal.is_dealer and request.method == "GET" and not request.url.path.startswith(
            (API_PREFIX, "/static/", "/search/results")):
        request.state.waiting = await waiting_count(principal.dealer_id)
        request.state.to_prepare = await to_prepare_count(principal.dealer_id)
        if principal.user_id is not None:
            request.state.unread = await unread_count(principal.user_id, principal.dealer_id)
