"""JSON API: a dealer's stock, read and published."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Request, Response, get, put
from litestar.params import Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_422_UNPROCESSABLE_ENTITY

from marketplace.accounts.auth import signed_in
from marketplace.accounts.principal import Principal
from marketplace.accounts.tables import Role
from marketplace.errors import Forbidden, Invalid
from marketplace.inventory.feeds import apply_feed
from marketplace.inventory.schemas import FeedReportOut, StockPage, StockRowOut
from marketplace.inventory.stock import own_stock
from marketplace.inventory.tables import FeedMode, FeedSource
from marketplace.metrics import count_feed
from marketplace.network.dealers import acting_dealer
from marketplace.pagination import page_number
from marketplace.settings import get_settings


def require_admin_for_full(principal: Principal, mode: FeedMode) -> None:
    """A full snapshot can zero a warehouse: a dealer's admin publishes it, not a counter clerk."""
    if mode == FeedMode.full and principal.role == Role.dealer_staff:
        raise Forbidden("publishing a full feed is for the dealer's admins", "mode")


class StockApi(Controller):
    path = "/api/v1/stock"
    guards = [signed_in]
    tags = ["stock"]

    @get("/")
    async def read(self, request: Request, part_number: str = "", page: str = "1",
                   dealer: str | None = None) -> StockPage:
        """The caller's own stock rows (a network key names ``dealer``), searched by part number typed any way."""
        dealer_id = await acting_dealer(request.user, dealer)
        rows = await own_stock(dealer_id, part_number, page_number(page))
        items = [StockRowOut.from_row(r) for r in rows.items]
        if not request.user.is_dealer or request.user.is_acting:
            # What a dealer paid for its parts is its own business, not the network's (nor its zone agent's).
            items = [msgspec.structs.replace(item, unit_cost=None) for item in items]
        return StockPage(items=items, total=rows.total, page=rows.page, pages=rows.pages)

    # A JSON feed is as large as any upload (the app's body limit), not the API's 1 MiB.
    @put("/", status_code=HTTP_200_OK, opt={"json_max_bytes": get_settings().max_upload_mb * 1024 * 1024})
    async def publish(
        self, request: Request, mode: FeedMode, dealer: str | None = None, confirm_shrink: bool = False,
        feed_lines: Annotated[int | None, Parameter(header="X-Feed-Lines", ge=0, le=10_000_000)] = None,
    ) -> Response[FeedReportOut]:
        """Publish stock as ``text/csv`` or ``application/json``: 200 with the report, 422 when nothing applied.

        ``full`` is a snapshot (parts it does not list go to zero on hand; reservations stay);
        ``delta`` changes only the rows given. A full feed that would zero more than the network's
        share of the rows or units on hand (20% by default) applies nothing unless
        ``confirm_shrink=true``. The line count, as the ``X-Feed-Lines`` header or a last line
        ``#END;<lines>``, must match the lines received (422 otherwise).
        """
        require_admin_for_full(request.user, mode)
        dealer_id = await acting_dealer(request.user, dealer)
        try:
            report = await apply_feed(
                dealer_id, await request.body(), mode=mode, source=FeedSource.api,
                content_type=request.headers.get("content-type", "text/csv"), confirm_shrink=confirm_shrink,
                announced_lines=feed_lines,
            )
        except Invalid:
            count_feed("api", unreadable=True)
            raise
        count_feed("api", report)
        status = HTTP_200_OK if report.applied else HTTP_422_UNPROCESSABLE_ENTITY
        return Response(FeedReportOut.from_report(report), status_code=status)
