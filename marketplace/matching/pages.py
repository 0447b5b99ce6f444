"""The clerk's pages: network search, one-click requests, the transfer inbox and timeline."""

from __future__ import annotations

import secrets
from datetime import datetime, timezone

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from marketplace.accounts.auth import dealer_only
from marketplace.errors import DomainError, Invalid
from marketplace.matching.memory import favourites, recent_searches, remember_search, toggle_favourite
from marketplace.matching.queries import get_transfer, inbox, timeline
from marketplace.matching.schemas import requester_address
from marketplace.matching.search import Sort, search
from marketplace.matching.tables import DeclineReason
from marketplace.matching.transfers import ACTIONS, Answer, TransferRequest, act, request_transfer_once
from marketplace.pagination import page_number
from marketplace.vehicles.plates import vehicle_page_for
from marketplace.web.forms import form_fields, safe_next
from marketplace.web.render import page
from marketplace.web.urls import redirect_to

RADII = (25, 50, 100, 250)


def _int(value: str | None, default: int | None, field: str) -> int | None:
    if value is None or not value.strip():
        return default
    try:
        return int(value)
    except ValueError:
        raise Invalid("a whole number", field)


class SearchPages(Controller):
    path = "/search"
    guards = [dealer_only]
    include_in_schema = False

    async def _search(self, request: Request) -> dict:
        """The search in the query string: its results (or error) and the form's values."""
        params = request.query_params
        q = params.get("q", "")
        values = {"q": q, "qty": params.get("qty") or "1", "sort": params.get("sort") or "distance",
                  "radius_km": params.get("radius_km") or ""}
        results, error = [], None
        if q.strip():
            try:
                sort = Sort(values["sort"]) if values["sort"] in Sort._value2member_map_ else Sort.distance
                stars = frozenset(f["id"] for f in await favourites(request.user.dealer_id))
                results = await search(
                    request.user.dealer_id, q, _int(values["qty"], 1, "qty"), sort,
                    _int(values["radius_km"], None, "radius_km"), stars, user_id=request.user.user_id)
                await remember_search(request.user.user_id, q)
            except DomainError as failure:
                error = failure
        return {"results": results, "error": error, "values": values, "radii": RADII, "sorts": [s.value for s in Sort],
                "request_token": secrets.token_urlsafe(12)}

    @get("/")
    async def index(self, request: Request) -> Response:
        if target := vehicle_page_for(request.query_params.get("q", "")):  # a VIN or a plate: the vehicle's page
            return Redirect(target, status_code=303)
        found = await self._search(request)
        return page(request, "matching/search.html", status_code=found["error"].status_code if found["error"] else 200,
                    recent=await recent_searches(request.user.user_id),
                    favourites=await favourites(request.user.dealer_id), **found)

    @get("/results")
    async def results(self, request: Request) -> Response:
        """The results alone, for the page's script to swap in without a reload."""
        if target := vehicle_page_for(request.query_params.get("q", "")):  # the script follows it
            return Redirect(target, status_code=303)
        found = await self._search(request)
        return page(request, "matching/_results.html", status_code=found["error"].status_code if found["error"] else 200,
                    **found)

    @post("/favourites")
    async def favourite(self, request: Request) -> Redirect:
        form = await form_fields(request)
        await toggle_favourite(request.user.dealer_id, form.get("supplier", ""))
        return Redirect(safe_next(form.get("next")), status_code=303)


class TransferPages(Controller):
    path = "/transfers"
    guards = [dealer_only]
    include_in_schema = False

    @get("/", name="transfers:list")
    async def index(self, request: Request, direction: str = "incoming", all: bool = False) -> Template:
        incoming = direction != "outgoing"
        transfers = await inbox(request.user.dealer_id, incoming=incoming, open_only=not all,
                                page=page_number(request.query_params.get("page")))
        return page(request, "matching/inbox.html", transfers=transfers, incoming=incoming, show_all=all,
                    now=datetime.now(timezone.utc))

    @post("/request")
    async def create(self, request: Request) -> Response:
        """One click from a search result: the hidden token makes a double click one request."""
        form = await form_fields(request)
        lines = _request_lines(form)
        created = []
        try:
            for supplier, quantity in lines:
                key = f"page:{form.get('request_token', '')}:{supplier}:{form.get('part_number', '')}"
                transfer_id, _ = await request_transfer_once(
                    request.user, TransferRequest(supplier, form.get("part_number", ""), quantity, form.get("note", "")),
                    key if form.get("request_token") else None)
                created.append(transfer_id)
        except DomainError as error:
            return page(request, "error.html", status_code=error.status_code, status=error.status_code,
                        detail=error.message, back=safe_next(form.get("next")), created=created)
        if len(created) == 1:
            return redirect_to(request, "transfers:detail", transfer_id=created[0])
        return redirect_to(request, "transfers:list", {"direction": "outgoing"})

    async def _detail(self, request: Request, transfer_id: int, error: DomainError | None = None) -> Template:
        transfer = await get_transfer(request.user, transfer_id)
        return page(request, "matching/transfer.html", status_code=error.status_code if error else 200,
                    transfer=transfer, events=await timeline(transfer_id), requester_address=requester_address(transfer),
                    side="supplier" if transfer["supplier_id"] == request.user.dealer_id else "requester",
                    actions=ACTIONS, reasons=[r.value for r in DeclineReason],
                    error=error.message if error else "", now=datetime.now(timezone.utc))

    @get("/{transfer_id:int}", name="transfers:detail")
    async def detail(self, request: Request, transfer_id: int) -> Template:
        return await self._detail(request, transfer_id)

    @post("/{transfer_id:int}/{action:str}")
    async def act(self, request: Request, transfer_id: int, action: str) -> Response:
        form = await form_fields(request)
        try:
            answer = Answer(
                quantity=_int(form.get("quantity"), None, "quantity"), part_number=form.get("part_number") or None,
                reason=form.get("reason") or None, carrier=form.get("carrier", ""), tracking=form.get("tracking", ""),
            )
            await act(request.user, transfer_id, action, answer)
        except DomainError as error:
            return await self._detail(request, transfer_id, error)
        return redirect_to(request, "transfers:detail", transfer_id=transfer_id)


def _request_lines(form: dict[str, str]) -> list[tuple[str, int]]:
    """(supplier, quantity) pairs: one holder, or a split proposal sent as ``split=CODE:QTY,...``."""
    if form.get("split"):
        lines = []
        for item in form["split"].split(","):
            supplier, _, quantity = item.partition(":")
            lines.append((supplier, _int(quantity, None, "quantity") or 0))
        return lines
    return [(form.get("supplier", ""), _int(form.get("quantity"), 1, "quantity"))]
