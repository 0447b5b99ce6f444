"""JSON API: dealers' territories and who owns a place."""

from __future__ import annotations

from datetime import date

from litestar import Controller, delete, get, post
from litestar.status_codes import HTTP_201_CREATED

from marketplace.accounts.auth import manager_only, signed_in
from marketplace.errors import Invalid
from marketplace.geo.gazetteer import get_gazetteer
from marketplace.geo.schemas import OwnerOut, TerritoryIn, TerritoryOut
from marketplace.geo.territories import TerritoryInput, create_territory, delete_territory, get_territory, list_territories
from marketplace.geo.territory_lookup import owner_of, today


class TerritoryApi(Controller):
    path = "/api/v1/territories"
    guards = [signed_in]
    tags = ["territories"]

    @get("/")
    async def list_territories(self, geometry: bool = False, dealer_code: str | None = None) -> list[TerritoryOut]:
        """Every territory, by dealer code; GeoJSON geometries only with ``?geometry=true``."""
        rows = await list_territories(dealer_code=dealer_code, with_geometry=geometry)
        return [TerritoryOut.of(row, with_geometry=geometry) for row in rows]

    @post("/", guards=[manager_only], status_code=HTTP_201_CREATED)
    async def create(self, data: TerritoryIn) -> TerritoryOut:
        """Give a dealer a territory (network managers). 409 naming the exclusive territory it would
        overlap (``conflicting_territory``, ``dealer_code``, ``overlap``); 422 for an unknown postal
        code, dealer or province, an invalid geometry or an end before the start."""
        row = await create_territory(TerritoryInput(**{f: getattr(data, f) for f in data.__struct_fields__}))
        return TerritoryOut.of(row, with_geometry=True)

    @get("/lookup")
    async def lookup(self, postal_code: str | None = None, lat: float | None = None, lon: float | None = None,
                     on: date | None = None) -> OwnerOut:
        """Who owns a postal code or a point (``lat``, ``lon``) on ``on`` (today in Italy): exclusive
        territories first, then shared ones. Nobody: the network's holding queue."""
        point = _point(lat, lon)
        if postal_code is None and point is None:
            raise Invalid("give postal_code, or lat and lon", "postal_code")
        if postal_code is not None and not get_gazetteer().is_postal_code(postal_code):
            raise Invalid(f"{postal_code!r} is not an Italian postal code (CAP)", "postal_code")
        day = on or today()
        owner = await owner_of(postal_code, point, day)
        if owner is None:
            return OwnerOut(None, None, None, holding_queue=True, on=day)
        return OwnerOut(owner.dealer_code, owner.territory_id, owner.exclusive, holding_queue=False, on=day)

    @get("/{territory_id:int}")
    async def read(self, territory_id: int) -> TerritoryOut:
        """One territory, with its geometry."""
        return TerritoryOut.of(await get_territory(territory_id, with_geometry=True), with_geometry=True)

    @delete("/{territory_id:int}", guards=[manager_only])
    async def remove(self, territory_id: int) -> None:
        """Delete a territory (network managers): its area goes back to whoever else covers it."""
        await delete_territory(territory_id)


def _point(lat: float | None, lon: float | None) -> tuple[float, float] | None:
    if lat is None and lon is None:
        return None
    if lat is None or lon is None:
        raise Invalid("give both lat and lon", "lat" if lat is None else "lon")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise Invalid("lat must be within ±90 and lon within ±180", "lat")
    return lat, lon
