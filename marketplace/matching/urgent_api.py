"""JSON API: urgent needs in radius waves."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from marketplace.accounts.auth import signed_in
from marketplace.bounds import LongText, Quantity
from marketplace.db import raw_connection
from marketplace.errors import Forbidden, NotFound
from marketplace.matching.urgent_needs import (
    NeedInput,
    cancel_need,
    commit,
    get_need,
    my_needs,
    needs_in_range,
    post_need,
)


class NeedIn(msgspec.Struct, forbid_unknown_fields=True):
    part_number: Annotated[str, msgspec.Meta(max_length=64)]
    quantity: Quantity
    needed_by: datetime | None = None  # with its offset; empty: within one working day
    note: LongText = ""


class NeedOut(msgspec.Struct):
    id: int
    status: str
    part_number: str
    quantity: int
    needed_by: datetime
    requester: str
    wave: int
    taker: str | None
    transfer_id: int | None
    note: str

    @classmethod
    def of(cls, row: dict) -> NeedOut:
        return cls(id=row["id"], status=row["status"], part_number=row["part_number"], quantity=row["quantity"],
                   needed_by=row["needed_by"], requester=row["requester"], wave=row["wave"], taker=row["taker"],
                   transfer_id=row["transfer"], note=row["note"])


class CommitOut(msgspec.Struct):
    need_id: int
    transfer_id: int


def _dealer(request: Request) -> int:
    if not request.user.is_dealer:
        raise Forbidden("urgent needs are a dealer's: use a dealer key", "dealer")
    return request.user.dealer_id


class UrgentNeedApi(Controller):
    path = "/api/v1/urgent-needs"
    guards = [signed_in]
    tags = ["urgent needs"]

    @post("/", status_code=HTTP_201_CREATED)
    async def create(self, request: Request, data: NeedIn) -> NeedOut:
        """Post an urgent need: it reaches holders within the first radius now, then wider each wave
        (``urgent_need.posted`` per wave); the first holder to commit gets it."""
        _dealer(request)
        need_id = await post_need(request.user, NeedInput(data.part_number, data.quantity, data.needed_by, data.note))
        async with raw_connection() as connection:
            return NeedOut.of(await get_need(connection, request.user, need_id))

    @get("/")
    async def list_needs(self, request: Request,
                         which: Annotated[str, Parameter(query="scope")] = "in_range") -> list[NeedOut]:
        """``in_range``: needs that reached the caller (open first, then closed in the last 7 days);
        ``mine``: needs the caller posted."""
        dealer_id = _dealer(request)
        if which not in ("in_range", "mine"):
            raise NotFound("scope is in_range or mine", "scope")
        async with raw_connection() as connection:
            rows = await (my_needs(connection, dealer_id) if which == "mine" else needs_in_range(connection, dealer_id))
        return [NeedOut.of(row) for row in rows]

    @get("/{need_id:int}")
    async def read(self, request: Request, need_id: int) -> NeedOut:
        async with raw_connection() as connection:
            return NeedOut.of(await get_need(connection, request.user, need_id))

    @post("/{need_id:int}/commit", status_code=HTTP_200_OK)
    async def take(self, request: Request, need_id: int) -> CommitOut:
        """Commit the caller's stock: 200 with the accepted transfer to ship; 409 when another
        holder was first (``status`` taken) or it expired; 404 when it did not reach the caller."""
        _dealer(request)
        return CommitOut(need_id=need_id, transfer_id=await commit(request.user, need_id))

    @post("/{need_id:int}/cancel", status_code=HTTP_200_OK)
    async def withdraw(self, request: Request, need_id: int) -> Response:
        _dealer(request)
        await cancel_need(request.user, need_id)
        return Response({"need_id": need_id, "status": "cancelled"})
