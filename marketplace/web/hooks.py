"""Per-request additions for pages."""

from __future__ import annotations

from litestar import Request

from marketplace.accounts.auth import API_PREFIX
from marketplace.matching.queries import waiting_count


async def count_waiting_transfers(request: Request) -> None:
    """The header's badge: transfers waiting for this dealer's answer (pages only, not the API)."""
    principal = request.scope.get("user")
    if principal is not None and principal.is_dealer and request.method == "GET" and not request.url.path.startswith(
            (API_PREFIX, "/static/", "/search/results")):
        request.state.waiting = await waiting_count(principal.dealer_id)
