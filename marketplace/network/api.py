"""JSON API: the dealer directory."""

from __future__ import annotations

from litestar import Controller, get

from marketplace.accounts.auth import signed_in
from marketplace.network.dealers import active_dealers
from marketplace.network.schemas import DealerOut


class DealerApi(Controller):
    path = "/api/v1/dealers"
    guards = [signed_in]
    tags = ["network"]

    @get("/")
    async def list_dealers(self) -> list[DealerOut]:
        """Active dealers, by code."""
        return [DealerOut(**row) for row in await active_dealers()]
