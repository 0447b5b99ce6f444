"""The store's counter: orders to prepare, on the shelf and collected; the code check; the
territory owner's view of the orders from its area."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.response import Template

from marketplace.accounts.auth import dealer_admin_or_manager, dealer_only, manager_only, signed_in
from marketplace.db import raw_connection
from marketplace.errors import DomainError
from marketplace.pagination import page_number
from marketplace.pickup.acceptance import order_timeline
from marketplace.pickup.code_lookup import find_ready_order
from marketplace.pickup.lifecycle import CODE_ATTEMPTS, cancel, collect, mark_ready, unlock_code
from marketplace.pickup.order_views import (
    TABS,
    counter_order,
    counter_orders,
    tab_counts,
    territory_orders,
)
from marketplace.pickup.payment import amount_from_text
from marketplace.web.forms import form_errors, form_fields
from marketplace.web.render import page
from marketplace.web.security_headers import NO_STORE
from marketplace.web.urls import redirect_to


class CounterPages(Controller):
    """A dealer's staff see the orders at their own pickup points; managers see every one."""

    path = "/pickup/orders"
    guards = [signed_in]
    opt = NO_STORE  # an order's page may show the code the customer gave
    include_in_schema = False

    @get("/")
    async def index(self, request: Request, tab: str = "prepare") -> Template:
        return await self._list(request, tab)

    async def _list(self, request: Request, tab: str, *, code: str = "", error: DomainError | None = None) -> Template:
        tab = tab if tab in TABS else "prepare"
        q = (request.query_params.get("q") or "")[:200]
        return page(request, "pickup/orders.html", status_code=error.status_code if error else 200, tab=tab,
                    tabs=list(TABS), counts=await tab_counts(request.user),
                    result=await counter_orders(request.user, tab, page_number(request.query_params.get("page")), q),
                    q=q, code=code, errors=form_errors(error, "pickup_code"))

    @post("/code")
    async def find_by_code(self, request: Request) -> Response:
        """The code a customer shows (typed, or scanned from the QR): straight to the order to hand
        over. A form post, so the code stays out of URLs (history, logs); misses are counted."""
        pickup_code = (await form_fields(request)).get("pickup_code", "")[:64]
        try:
            order_id = await find_ready_order(request.user, pickup_code) if pickup_code.strip() else None
        except DomainError as error:
            return await self._list(request, "ready", code="", error=error)
        if order_id is None:
            return await self._list(request, "ready", code="", error=DomainError(
                "no order ready for pickup here with this code", "pickup_code"))
        return await self._detail(request, order_id, code=pickup_code.strip().upper())

    @get("/{order_id:int}", name="counter:order")
    async def detail(self, request: Request, order_id: int) -> Template:
        return await self._detail(request, order_id)

    async def _detail(self, request: Request, order_id: int, *, code: str = "",
                      error: DomainError | None = None) -> Template:
        order = await counter_order(request.user, order_id)
        async with raw_connection() as connection:
            routing = await order_timeline(connection, order_id)
        return page(request, "pickup/order.html", status_code=error.status_code if error else 200, order=order,
                    routing=routing,
                    code=code, errors=form_errors(error), attempts_left=max(0, CODE_ATTEMPTS - order["code_failures"]))

    @post("/{order_id:int}/ready")
    async def ready(self, request: Request, order_id: int) -> Response:
        return await self._act(request, order_id, mark_ready(request.user, order_id))

    @post("/{order_id:int}/collect")
    async def collect(self, request: Request, order_id: int) -> Response:
        form = await form_fields(request)
        code = form.get("pickup_code", "")
        try:
            await collect(request.user, order_id, code, amount_from_text(form.get("amount")))
        except DomainError as error:
            return await self._detail(request, order_id, code=code, error=error)
        return redirect_to(request, "counter:order", order_id=order_id)

    @post("/{order_id:int}/unlock", guards=[manager_only])
    async def unlock(self, request: Request, order_id: int) -> Response:
        return await self._act(request, order_id, unlock_code(request.user, order_id))

    @post("/{order_id:int}/cancel", guards=[dealer_admin_or_manager])
    async def cancel(self, request: Request, order_id: int) -> Response:
        return await self._act(request, order_id, cancel(request.user, order_id))

    async def _act(self, request: Request, order_id: int, action) -> Response:
        try:
            await action
        except DomainError as error:
            return await self._detail(request, order_id, error=error)
        return redirect_to(request, "counter:order", order_id=order_id)


class TerritoryOrderPages(Controller):
    """The orders placed from the dealer's territory, whoever fulfils them, and the referral earned."""

    path = "/pickup/territory"
    guards = [dealer_only]
    include_in_schema = False

    @get("/")
    async def index(self, request: Request) -> Template:
        result, earned = await territory_orders(request.user.dealer_id, page_number(request.query_params.get("page")))
        return page(request, "pickup/territory_orders.html", result=result, earned=earned)
