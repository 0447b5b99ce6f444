"""Pages: a dealer admin's (or the network's) webhook endpoints, each with its delivery log, its
failures and a replay button."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from marketplace.accounts.auth import dealer_admin_or_manager
from marketplace.errors import DomainError
from marketplace.web.forms import form_errors, form_fields
from marketplace.web.render import page
from marketplace.web.urls import redirect_to
from marketplace.webhooks.endpoints import (
    attempts_of,
    delete_endpoint,
    deliveries,
    enable,
    get_endpoint,
    list_endpoints,
    register,
    replay,
    rotate_secret,
)
from marketplace.webhooks.events import EVENTS


class WebhookPages(Controller):
    path = "/webhooks"
    guards = [dealer_admin_or_manager]
    include_in_schema = False

    async def _list(self, request: Request, *, created=None, error: DomainError | None = None,
                    values: dict | None = None) -> Template:
        return page(request, "webhooks/list.html", status_code=error.status_code if error else (201 if created else 200),
                    endpoints=await list_endpoints(request.user), created=created, events=EVENTS,
                    values=values or {}, errors=form_errors(error))

    @get("/", name="webhooks:list")
    async def index(self, request: Request) -> Template:
        return await self._list(request)

    @post("/")
    async def create(self, request: Request) -> Template:
        form = await form_fields(request)
        chosen = [event for event in EVENTS if form.get(f"event:{event}") == "on"]
        try:
            created = await register(request.user, form.get("url", ""), chosen, form.get("description", ""))
        except DomainError as error:
            return await self._list(request, error=error, values=form)
        return await self._list(request, created=created)

    @get("/{endpoint_id:int}", name="webhooks:endpoint")
    async def endpoint(self, request: Request, endpoint_id: int, failures: bool = False,
                       delivery: int | None = None) -> Template:
        me = request.user
        return page(request, "webhooks/endpoint.html", endpoint=await get_endpoint(me, endpoint_id),
                    deliveries=await deliveries(me, endpoint_id, failures_only=failures), failures=failures,
                    opened=delivery, attempts=await attempts_of(me, endpoint_id, delivery) if delivery else [],
                    secret=None)

    @post("/{endpoint_id:int}/rotate")
    async def rotate(self, request: Request, endpoint_id: int) -> Template:
        rotated = await rotate_secret(request.user, endpoint_id)
        me = request.user
        return page(request, "webhooks/endpoint.html", endpoint=await get_endpoint(me, endpoint_id),
                    deliveries=await deliveries(me, endpoint_id), failures=False, opened=None, attempts=[],
                    secret=rotated.secret)

    @post("/{endpoint_id:int}/enable")
    async def enable(self, request: Request, endpoint_id: int) -> Redirect:
        await enable(request.user, endpoint_id)
        return redirect_to(request, "webhooks:endpoint", endpoint_id=endpoint_id)

    @post("/{endpoint_id:int}/delete")
    async def remove(self, request: Request, endpoint_id: int) -> Redirect:
        await delete_endpoint(request.user, endpoint_id)
        return redirect_to(request, "webhooks:list")

    @post("/{endpoint_id:int}/deliveries/{delivery_id:int}/replay")
    async def replay(self, request: Request, endpoint_id: int, delivery_id: int) -> Redirect:
        await replay(request.user, endpoint_id, delivery_id)
        return redirect_to(request, "webhooks:endpoint", endpoint_id=endpoint_id)
