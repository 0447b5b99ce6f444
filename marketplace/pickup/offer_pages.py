"""A source dealer's page of online orders' lines offered to it: accept before the deadline."""

from __future__ import annotations

from datetime import datetime, timezone

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from marketplace.accounts.auth import dealer_only
from marketplace.db import raw_connection
from marketplace.errors import DomainError
from marketplace.pickup.acceptance import accept_lines, offers_for
from marketplace.web.render import page


class OfferPages(Controller):
    path = "/pickup/offers"
    guards = [dealer_only]
    include_in_schema = False

    async def _page(self, request: Request, *, error: DomainError | None = None, accepted: int | None = None
                    ) -> Template:
        async with raw_connection() as connection:
            offers = await offers_for(connection, request.user.dealer_id)
        return page(request, "pickup/offers.html", status_code=error.status_code if error else 200, offers=offers,
                    error=error.message if error else "", accepted=accepted, now=datetime.now(timezone.utc))

    @get("/", name="pickup:offers")
    async def index(self, request: Request, accepted: int | None = None) -> Template:
        return await self._page(request, accepted=accepted)

    @post("/{order_id:int}/accept")
    async def accept(self, request: Request, order_id: int) -> Response:
        try:
            await accept_lines(request.user, order_id)
        except DomainError as error:
            return await self._page(request, error=error)
        return Redirect(f"/pickup/offers?accepted={order_id}", status_code=303)
