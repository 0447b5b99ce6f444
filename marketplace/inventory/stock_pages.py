"""The dealer's stock pages: my stock with its aging, publishing a file, feed reports."""

from __future__ import annotations

import gzip

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.response import Template

from marketplace.accounts.auth import dealer_only
from marketplace.errors import DomainError, Invalid, NotFound
from marketplace.inventory.feeds import apply_feed
from marketplace.inventory.stock import aging, feed_history, get_feed, own_stock
from marketplace.inventory.stock_api import require_admin_for_full
from marketplace.inventory.tables import FeedMode, FeedSource
from marketplace.metrics import count_feed
from marketplace.network.rules import get_rules
from marketplace.pagination import page_number
from marketplace.web.forms import form_errors
from marketplace.web.render import page


class StockPages(Controller):
    path = "/stock"
    guards = [dealer_only]
    include_in_schema = False

    @get("/")
    async def index(self, request: Request, q: str = "") -> Template:
        me = request.user
        return page(
            request, "inventory/stock.html", q=q,
            stock=await own_stock(me.dealer_id, q, page_number(request.query_params.get("page"))),
            aging=await aging(me.dealer_id), feeds=await feed_history(me.dealer_id, limit=10),
        )

    def _upload_page(self, request: Request, *, report=None, error: DomainError | None = None,
                     mode: str = "full") -> Template:
        status = error.status_code if error else (422 if report and not report.applied else 200)
        return page(request, "inventory/upload.html", status_code=status, report=report, mode=mode,
                    errors=form_errors(error, "file"), confirm_form=True)

    @get("/upload")
    async def upload_form(self, request: Request) -> Template:
        return self._upload_page(request)

    @post("/upload")
    async def upload(self, request: Request) -> Template:
        form = await request.form()
        mode = form.get("mode") if form.get("mode") in ("full", "delta") else "full"
        upload = form.get("file")
        try:
            require_admin_for_full(request.user, FeedMode(mode))
            if not isinstance(upload, UploadFile):
                raise Invalid("choose a file", "file")
            report = await apply_feed(request.user.dealer_id, await upload.read(), mode=FeedMode(mode),
                                      source=FeedSource.page, content_type=upload.content_type or "text/csv",
                                      confirm_shrink=form.get("confirm_shrink") == "true")
        except DomainError as error:
            return self._upload_page(request, error=error, mode=mode)
        count_feed("page", report)
        return self._upload_page(request, report=report, mode=mode)

    @get("/feeds/{feed_id:int}")
    async def feed(self, request: Request, feed_id: int) -> Template:
        feed = await get_feed(feed_id, request.user.dealer_id)
        if feed is None:
            raise NotFound(f"no feed {feed_id}", "feed")
        return page(request, "inventory/feed.html", feed=feed, rules=await get_rules())

    @get("/feeds/{feed_id:int}/rejected.csv", media_type="text/csv")
    async def rejected(self, request: Request, feed_id: int) -> Response[bytes]:
        """Every rejected line of a feed (the page and the API answer show the first 1,000)."""
        feed = await get_feed(feed_id, request.user.dealer_id)
        if feed is None:
            raise NotFound(f"no feed {feed_id}", "feed")
        data = gzip.decompress(feed["rejected_csv"]) if feed.get("rejected_csv") else b"line,part_number,reason\r\n"
        return Response(data, media_type="text/csv", headers={
            "Content-Disposition": f'attachment; filename="feed-{feed_id}-rejected.csv"'})
