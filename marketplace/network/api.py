"""JSON API: the dealer directory."""

from __future__ import annotations

import msgspec
from litestar import Controller, get

from marketplace.accounts.auth import signed_in
from marketplace.network.dealers import active_dealers


class DealerOut(msgspec.Struct):
    code: str
    name: str
    city: str
    postal_code: str
    lat: float | None
    lon: float | None


class DealerApi(Controller):
    path = "/api/v1/dealers"
    guards = [signed_in]
    tags = ["network"]

    @get("/")
    async def list_dealers(self) -> list[DealerOut]:
        """Active dealers, by code."""
        return [DealerOut(**row) for row in await active_dealers()]
