"""The clerk's pages: network search, one-click requests, the transfer inbox and timeline."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime, timezone
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from marketplace.accounts.auth import dealer_only
from marketplace.errors import DomainError, Invalid
from marketplace.matching.counter import Outcome, nearest_holder, plan_nearest, request_lines, requested_today
from marketplace.matching.memory import favourites, recent_searches, remember_search, toggle_favourite
from marketplace.matching.queries import get_transfer, inbox, timeline, transfers_asked_by
from marketplace.matching.schemas import requester_address
from marketplace.matching.search import Sort, search
from marketplace.matching.tables import DeclineReason
from marketplace.matching.transfers import ACTIONS, Answer, act
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


MAX_LIST_LINES = 50


async def search_context(request: Request, params: Mapping[str, str], outcomes: list[Outcome] = ()) -> dict:
    """The search in ``params`` (a query string, or the form a request came from): its results (or
    error), the form's values, the "request all from the nearest" plan of a list, what was asked
    today, and the outcome of the requests just made (a refused one with its next holder)."""
    q = params.get("q", "")
    values = {"q": q, "qty": params.get("qty") or "1", "sort": params.get("sort") or "distance",
              "radius_km": params.get("radius_km") or ""}
    results, error, plan, asked, quantity = [], None, None, {}, 1
    if q.strip():
        try:
            sort = Sort(values["sort"]) if values["sort"] in Sort._value2member_map_ else Sort.distance
            stars = frozenset(f["id"] for f in await favourites(request.user.dealer_id))
            quantity = _int(values["qty"], 1, "qty")
            results = await search(request.user.dealer_id, q, quantity, sort, _int(values["radius_km"], None, "radius_km"),
                                   stars, user_id=request.user.user_id)
            await remember_search(request.user.user_id, q)
        except DomainError as failure:
            error = failure
    if results:
        asked = await requested_today(request.user.dealer_id, results)
        if len(results) > 1:
            plan = plan_nearest(results, quantity, asked)
    refused = {}
    for outcome in outcomes:
        if outcome.transfer_id is None:
            refused[outcome.part_number] = outcome
    # The next holder, in place, for each refused line: the nearest other one, as the network stands now.
    next_holders = {}
    for result in results:
        for number in [result.part_number, *result.replaces]:
            if number in refused:
                next_holders[result.part_number] = (refused[number], nearest_holder(
                    result, refused[number].quantity, frozenset({refused[number].supplier})))
    return {"results": results, "error": error, "values": values, "radii": RADII, "sorts": [s.value for s in Sort],
            "request_token": secrets.token_urlsafe(12), "plan": plan, "asked_today": asked,
            "created": [o for o in outcomes if o.transfer_id is not None], "next_holders": next_holders,
            "is_list": len(results) > 1}


class SearchPages(Controller):
    path = "/search"
    guards = [dealer_only]
    include_in_schema = False

    async def _search(self, request: Request) -> dict:
        """The search in the query string, with the transfers just requested (``requested=1,2``)."""
        found = await search_context(request, request.query_params)
        ids = [int(i) for i in request.query_params.get("requested", "").split(",")[:MAX_LIST_LINES] if i.isdigit()]
        if ids:
            found["created"] = [Outcome(r["part_number"], r["supplier"], r["quantity"], transfer_id=r["id"])
                                for r in await transfers_asked_by(request.user.dealer_id, ids)]
        return found

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
        """One click from a search result: the hidden token makes a double click one request.

        From a list the answer is the list again, the request marked; a refusal (the stock went
        meanwhile) is the search again, in place, offering the next holder.
        """
        form = await form_fields(request)
        part_number = form.get("part_number", "")
        lines = [(supplier, part_number, quantity) for supplier, quantity in _request_lines(form)]
        return await self._requested(request, form, await self._request(request, form, lines))

    @post("/request-all")
    async def create_all(self, request: Request) -> Response:
        """"Request all from the nearest": the lines of a list's plan ticked on the search page."""
        form = await form_fields(request)
        lines = []
        for index in range(MAX_LIST_LINES):
            value = form.get(f"line_{index}")
            if value:
                supplier, _, rest = value.partition("|")
                part_number, _, quantity = rest.rpartition("|")
                lines.append((supplier, part_number, _int(quantity, None, "quantity") or 0))
        if not lines:
            raise Invalid("tick at least one line to request", "line_0")
        form["list"] = "1"
        return await self._requested(request, form, await self._request(request, form, lines))

    async def _request(self, request: Request, form: dict[str, str], lines: list) -> list[Outcome]:
        token = form.get("request_token") or None
        try:
            return await request_lines(request.user, lines, token)
        except DomainError as error:
            return page(request, "error.html", status_code=error.status_code, status=error.status_code,
                        detail=error.message, back=safe_next(form.get("next")))

    async def _requested(self, request: Request, form: dict[str, str], outcomes) -> Response:
        if not isinstance(outcomes, list):
            return outcomes  # the error page
        created = [o.transfer_id for o in outcomes if o.transfer_id is not None]
        if len(created) < len(outcomes):
            if form.get("q"):
                found = await search_context(request, form, outcomes)
                return page(request, "matching/search.html", status_code=409, recent=[],
                            favourites=await favourites(request.user.dealer_id), **found)
            refused = next(o for o in outcomes if o.transfer_id is None)
            return page(request, "error.html", status_code=409, status=409,
                        detail="The stock went meanwhile: the supplier no longer has the quantity asked.",
                        back=safe_next(form.get("next")), refused=refused)
        if form.get("list") and form.get("q"):
            query = {k: form[k] for k in ("q", "qty", "sort", "radius_km") if form.get(k)}
            return Redirect(f"/search?{urlencode({**query, 'requested': ','.join(map(str, created))})}",
                            status_code=303)
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
