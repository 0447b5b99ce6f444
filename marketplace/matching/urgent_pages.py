"""Urgent needs: the clerk posts one and follows it; holders in range see them and commit."""

from __future__ import annotations

from datetime import datetime, timezone

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from marketplace.accounts.auth import dealer_only
from marketplace.calendar import ROME
from marketplace.db import raw_connection
from marketplace.errors import DomainError, Invalid
from marketplace.matching.urgent_needs import NeedInput, cancel_need, commit, my_needs, needs_in_range, post_need
from marketplace.network.billing_pages import translated_errors
from marketplace.web.forms import form_fields, whole_number
from marketplace.web.render import page
from marketplace.web.urls import redirect_to


def _deadline(text: str | None) -> datetime | None:
    """A deadline typed in the form (YYYY-MM-DDTHH:MM, Rome time), None when empty."""
    if not text or not text.strip():
        return None
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%dT%H:%M").replace(tzinfo=ROME)
    except ValueError:
        raise Invalid("a date and time", "needed_by") from None


class UrgentNeedPages(Controller):
    path = "/urgent"
    guards = [dealer_only]
    include_in_schema = False

    async def _page(self, request: Request, *, values: dict | None = None, errors: dict | None = None,
                    error: str = "", status_code: int = 200, done: str = "") -> Template:
        async with raw_connection() as connection:
            mine = await my_needs(connection, request.user.dealer_id)
            in_range = await needs_in_range(connection, request.user.dealer_id)
        return page(request, "matching/urgent.html", status_code=status_code, mine=mine, in_range=in_range,
                    values=values or {"quantity": "1"}, errors=errors or {}, error=error, done=done,
                    now=datetime.now(timezone.utc), rome=ROME)

    @get("/", name="urgent")
    async def index(self, request: Request, done: str = "") -> Template:
        return await self._page(request, done=done if done in ("posted", "committed", "cancelled") else "")

    @post("/")
    async def create(self, request: Request) -> Response:
        form = await form_fields(request)
        try:
            await post_need(request.user, NeedInput(
                part_number=form.get("part_number", ""), quantity=whole_number(form, "quantity", 1, 10_000),
                needed_by=_deadline(form.get("needed_by")), note=form.get("note", "")))
        except DomainError as failure:
            return await self._page(request, values=form, errors=translated_errors(request, failure),
                                    status_code=failure.status_code)
        return redirect_to(request, "urgent", {"done": "posted"})

    @post("/{need_id:int}/commit")
    async def take(self, request: Request, need_id: int) -> Response:
        try:
            transfer_id = await commit(request.user, need_id)
        except DomainError as failure:
            return await self._page(request, error=failure.message, status_code=failure.status_code)
        return Redirect(f"/transfers/{transfer_id}", status_code=303)

    @post("/{need_id:int}/cancel")
    async def withdraw(self, request: Request, need_id: int) -> Response:
        try:
            await cancel_need(request.user, need_id)
        except DomainError as failure:
            return await self._page(request, error=failure.message, status_code=failure.status_code)
        return redirect_to(request, "urgent", {"done": "cancelled"})
