"""The counter's history page: what the dealer received and sold, and "riordina" in one click."""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from marketplace.accounts.auth import dealer_only
from marketplace.matching.counter import HISTORY_DAYS, HISTORY_KINDS, Outcome, history, nearest_holder, reorder
from marketplace.matching.queries import transfers_asked_by
from marketplace.matching.search import search
from marketplace.vehicles.diagrams import diagrams_showing
from marketplace.web.forms import form_fields, whole_number
from marketplace.web.render import page


async def thumbnails(part_ids: list[int]) -> dict:
    """part id -> (diagram id, name, thumbnail url) where a vehicle's diagram shows the part."""
    return await diagrams_showing(part_ids) if part_ids else {}


MAX_REORDER = 9999  # one line of a reorder: more is a typing slip, refused naming the quantity


class HistoryPages(Controller):
    path = "/history"
    guards = [dealer_only]
    include_in_schema = False

    async def _page(self, request: Request, params, status_code: int = 200, refused: Outcome | None = None,
                    created: list[Outcome] = (), reduced_from: int | None = None) -> Template:
        kind = params.get("kind") or ""
        days_text = params.get("days") or "90"
        days = int(days_text) if days_text.isdigit() else 0
        lines = await history(request.user.dealer_id, params.get("q") or "", kind, days)
        next_holder = None
        if refused is not None:
            [result] = (await search(request.user.dealer_id, refused.part_number, refused.quantity,
                                     user_id=request.user.user_id))[:1]
            next_holder = nearest_holder(result, refused.quantity, frozenset({refused.supplier}))
        return page(request, "matching/history.html", status_code=status_code, lines=lines,
                    thumbs=await thumbnails(list({line.part_id for line in lines})),
                    values={"q": params.get("q") or "", "kind": kind, "days": days}, kinds=HISTORY_KINDS,
                    all_days=HISTORY_DAYS, refused=refused, next_holder=next_holder, created=created,
                    request_token=secrets.token_urlsafe(12), reduced_from=reduced_from)

    @get("/", name="counter:history")
    async def index(self, request: Request) -> Template:
        ids = [int(i) for i in request.query_params.get("requested", "").split(",")[:10] if i.isdigit()]
        created = [Outcome(r["part_number"], r["supplier"], r["quantity"], transfer_id=r["id"])
                   for r in await transfers_asked_by(request.user.dealer_id, ids)]
        asked = request.query_params.get("asked", "")
        reduced_from = int(asked) if asked.isascii() and asked.isdigit() and len(created) == 1 else None
        if reduced_from is not None and reduced_from <= created[0].quantity:
            reduced_from = None
        return await self._page(request, request.query_params, created=created, reduced_from=reduced_from)

    @post("/reorder")
    async def reorder(self, request: Request) -> Response:
        """"Riordina": the line's part and quantity from the network's nearest holder now."""
        form = await form_fields(request)
        quantity = whole_number(form, "quantity", 1, MAX_REORDER)
        outcome = await reorder(request.user, form.get("part_number", ""), quantity, form.get("request_token") or None)
        if outcome.transfer_id is None:
            return await self._page(request, form, status_code=409, refused=outcome)
        back = {k: form[k] for k in ("q", "kind", "days") if form.get(k)}
        back["requested"] = outcome.transfer_id
        if outcome.quantity < quantity:  # the holder had fewer: the page says the quantity was reduced
            back["asked"] = quantity
        return Redirect(f"/history?{urlencode(back)}", status_code=303)
