"""The shop by vehicle ("trova i ricambi per la tua auto"): the customer's VIN, the model's diagrams,
and of each callout the parts that fit and are on sale online, priced and linked to the shop's page."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from litestar import Controller, Request, Response, get
from litestar.response import Redirect
from markupsafe import Markup

from marketplace.accounts.auth import PUBLIC
from marketplace.errors import DomainError, NotFound
from marketplace.pickup.storefront import network_available, online_discount, online_price
from marketplace.vehicles.catalog import fits, get_diagram, groups_of, on_sale_for
from marketplace.vehicles.master import models
from marketplace.vehicles.pages import _model_id, vehicle_for
from marketplace.vehicles.svg import with_links
from marketplace.vehicles.vin import normalize_vin
from marketplace.web.render import page


class ShopVehiclePages(Controller):
    path = "/shop/vehicle"
    opt = PUBLIC
    include_in_schema = False

    @get("/")
    async def index(self, request: Request, vin: str = "") -> Response:
        if vin.strip():
            return Redirect(f"/shop/vehicle/{quote(normalize_vin(vin), safe='')}", status_code=303)
        return page(request, "vehicles/shop_index.html", vin="", error=None)

    @get("/{vin:str}")
    async def vehicle(self, request: Request, vin: str, model: str | None = None) -> Response:
        try:
            vehicle = await vehicle_for(normalize_vin(vin), _model_id(model))
        except NotFound as missing:
            if missing.field != "vin":
                raise
            return page(request, "vehicles/shop_unknown.html", status_code=404, vin=normalize_vin(vin),
                        manufacturer=missing.extra.get("manufacturer"), models=await models(missing.extra.get("manufacturer")))
        except DomainError as error:
            return page(request, "vehicles/shop_index.html", status_code=error.status_code, vin=vin, error=error)
        suffix = f"?{urlencode({'model': model})}" if model and not vehicle.complete else ""
        return page(request, "vehicles/shop_vehicle.html", vehicle=vehicle, groups=await groups_of(vehicle.model_id),
                    suffix=suffix)

    @get("/{vin:str}/diagrams/{diagram_id:int}")
    async def diagram(self, request: Request, vin: str, diagram_id: int, model: str | None = None,
                      ref: str | None = None) -> Response:
        vehicle = await vehicle_for(normalize_vin(vin), _model_id(model))
        diagram = await get_diagram(diagram_id)
        if diagram.model_id != vehicle.model_id:
            raise NotFound("this diagram is not of this vehicle's model", "diagram_id")
        rows = [row for row in diagram.rows if fits(row, vehicle) is not False]
        sold = await on_sale_for([row.part_id for row in rows])
        available = await network_available([part["id"] for part in sold.values()])
        discount = await online_discount()
        lines: dict[str, list[dict]] = {}
        for row in rows:
            part = sold.get(row.part_id)
            if part is not None:
                lines.setdefault(row.ref, []).append({
                    "row": row, "part": part, "price": online_price(part["list_price"], part["map_price"], discount),
                    "available": available.get(part["id"], 0)})
        keep = {"model": model} if model and not vehicle.complete else {}
        base = f"/shop/vehicle/{vehicle.vin}/diagrams/{diagram.id}"

        def link(callout: str) -> str:
            return f"{base}?{urlencode({'ref': callout, **keep})}#parts"

        svg = with_links(diagram.svg, link, ref, lambda callout: callout)
        return page(request, "vehicles/shop_diagram.html", vehicle=vehicle, diagram=diagram, svg=Markup(svg),
                    lines=lines, ref=ref, link=link, suffix=f"?{urlencode(keep)}" if keep else "")
