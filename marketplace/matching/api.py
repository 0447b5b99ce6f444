"""JSON API: network search and transfers."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from marketplace.accounts.auth import signed_in
from marketplace.bounds import MAX_QUANTITY
from marketplace.errors import Forbidden, NotFound
from marketplace.matching.queries import get_transfer, inbox, timeline
from marketplace.matching.schemas import AnswerIn, ResultOut, SearchOut, TransferIn, TransferOut, TransferPage
from marketplace.matching.search import Sort, search
from marketplace.matching.transfers import ACTIONS, Answer, TransferRequest, act, request_transfer_once
from marketplace.network.dealers import acting_dealer
from marketplace.pagination import page_number


class NetworkSearchApi(Controller):
    path = "/api/v1/network"
    guards = [signed_in]
    tags = ["network search"]

    @get("/search")
    async def search(
        self, request: Request, q: str, qty: Annotated[int, Parameter(ge=1, le=MAX_QUANTITY)] = 1,
        sort: Sort = Sort.distance,
        radius_km: float | None = None, dealer: str | None = None,
    ) -> SearchOut:
        """Who has these parts: one result per line of ``q`` (a pasted list), nearest first by default.

        A line is a part number typed any way, or words of the description: a line of words gives
        one result per matching part (``match: "words"``, up to 10, held ones first), or one
        ``no_match``. A number not in the catalog is ``unknown_part`` with ``suggestions``, the
        nearest catalog numbers.

        Holders are active dealers with shared, available stock and a fresh feed; the importer's
        central warehouse is given apart; ``split`` proposes holders together covering ``qty``.
        A network key searches as the dealer it names.
        """
        searcher = await acting_dealer(request.user, dealer)
        results = await search(searcher, q, qty, sort, radius_km, user_id=request.user.user_id)
        return SearchOut(results=[ResultOut.of(r) for r in results])


class TransferApi(Controller):
    path = "/api/v1/transfers"
    guards = [signed_in]
    tags = ["transfers"]

    @post("/", status_code=HTTP_201_CREATED)
    async def create(
        self, request: Request, data: TransferIn,
        idempotency_key: Annotated[str | None, Parameter(header="Idempotency-Key")] = None,
    ) -> Response[TransferOut]:
        """Request parts from a supplier, reserving them there at once: 201, or 409 with ``available``.

        Send an ``Idempotency-Key``: a retry with the same key and body returns the same transfer
        (200), the same key with another body is 422.
        """
        transfer_id, created = await request_transfer_once(
            request.user, TransferRequest(data.supplier, data.part_number, data.quantity, data.note), idempotency_key)
        row = await get_transfer(request.user, transfer_id)
        return Response(TransferOut.of(row), status_code=HTTP_201_CREATED if created else HTTP_200_OK)

    @get("/")
    async def list_transfers(self, request: Request, direction: str = "incoming", open_only: bool = True,
                             page: str = "1") -> TransferPage:
        """The caller's transfers: ``incoming`` (to answer; oldest first) or ``outgoing``."""
        if not request.user.is_dealer:
            raise Forbidden("a dealer's inbox: use a dealer key", "dealer")
        if direction not in ("incoming", "outgoing"):
            raise NotFound("direction is incoming or outgoing", "direction")
        rows = await inbox(request.user.dealer_id, incoming=direction == "incoming", open_only=open_only,
                           page=page_number(page))
        return TransferPage(items=[TransferOut.of(r) for r in rows.items], total=rows.total, page=rows.page,
                            pages=rows.pages)

    @get("/{transfer_id:int}")
    async def read(self, request: Request, transfer_id: int) -> TransferOut:
        """One transfer with its timeline; only its parties and managers see it."""
        row = await get_transfer(request.user, transfer_id)
        return TransferOut.of(row, await timeline(transfer_id))

    @post("/{transfer_id:int}/{action:str}", status_code=HTTP_200_OK)
    async def act(self, request: Request, transfer_id: int, action: str, data: AnswerIn | None = None) -> TransferOut:
        """``accept`` (optionally offering ``quantity`` or ``part_number``), ``decline`` (``reason``),
        ``ship`` (``carrier``, ``tracking``), ``confirm`` an offer, ``receive``, ``cancel``.
        Illegal transitions are 409 naming the current status."""
        if action not in ACTIONS:
            raise NotFound(f"no action {action}: use one of {', '.join(ACTIONS)}", "action")
        answer = Answer(**{f: getattr(data, f) for f in data.__struct_fields__}) if data else Answer()
        await act(request.user, transfer_id, action, answer)
        return TransferOut.of(await get_transfer(request.user, transfer_id), await timeline(transfer_id))
