"""The clerk's catalog by vehicle: a VIN's (or plate's) groups, a diagram with its callouts, and the
network holders of a callout's parts with the network search's own "Richiedi" forms."""

from __future__ import annotations

import secrets
from urllib.parse import quote, urlencode

from litestar import Controller, Request, Response, get
from litestar.response import Redirect, Template
from markupsafe import Markup

from marketplace.accounts.auth import dealer_only, signed_in
from marketplace.errors import DomainError, Invalid, NotFound
from marketplace.matching.search import Sort, search
from marketplace.vehicles.catalog import fits, get_diagram, groups_of
from marketplace.vehicles.master import find_vehicle, model_vehicle, models
from marketplace.vehicles.plates import configured_provider, lookup_plate
from marketplace.vehicles.svg import with_links
from marketplace.vehicles.vin import normalize_vin
from marketplace.web.render import page

SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


def _model_id(value: str | None) -> int | None:
    if value is None or not value.strip():
        return None
    try:
        return int(value)
    except ValueError:
        raise Invalid("choose a model from the list", "model") from None


def _qty(value: str | None) -> int:
    try:
        quantity = int(value or 1)
    except ValueError:
        raise Invalid("a whole number", "qty") from None
    if not 1 <= quantity <= 999:
        raise Invalid("the quantity must be between 1 and 999", "qty")
    return quantity


async def vehicle_for(vin: str, model: int | None):
    """The master's vehicle of a VIN, or an unknown VIN seen as the model the clerk picked."""
    try:
        return await find_vehicle(vin)
    except NotFound:
        if model is None:
            raise
        return await model_vehicle(vin, model)


class VehiclePages(Controller):
    path = "/vehicles"
    guards = [dealer_only]
    include_in_schema = False

    @get("/", name="vehicles:index")
    async def index(self, request: Request, vin: str = "", plate: str = "") -> Response:
        """The VIN and plate boxes; a VIN goes to its page, a plate to its VIN's page when the service knows it."""
        answer, error = None, None
        if vin.strip():
            return Redirect(f"/vehicles/{quote(normalize_vin(vin), safe='')}", status_code=303)
        if plate.strip():
            try:
                answer = await lookup_plate(plate)
            except DomainError as failure:
                error = failure
            if answer is not None and answer.status == "found":
                return Redirect(f"/vehicles/{answer.vin}", status_code=303)
        return page(request, "vehicles/index.html", status_code=error.status_code if error else 200,
                    vin=vin, plate=plate, answer=answer, error=error, plates_on=configured_provider() is not None)

    @get("/{vin:str}", name="vehicles:vehicle")
    async def vehicle(self, request: Request, vin: str, model: str | None = None) -> Template:
        normalized = normalize_vin(vin)
        try:
            vehicle = await vehicle_for(normalized, _model_id(model))
        except NotFound as missing:
            if missing.field != "vin":
                raise
            return page(request, "vehicles/unknown.html", status_code=404, vin=normalized,
                        manufacturer=missing.extra.get("manufacturer"), year_hint=missing.extra.get("model_year_hint"),
                        models=await models(missing.extra.get("manufacturer")))
        except Invalid as invalid:
            return page(request, "vehicles/index.html", status_code=422, vin=vin, plate="", answer=None, error=invalid,
                        plates_on=configured_provider() is not None)
        return page(request, "vehicles/vehicle.html", vehicle=vehicle, groups=await groups_of(vehicle.model_id),
                    suffix=_suffix(vehicle, model))

    @get("/{vin:str}/diagrams/{diagram_id:int}", name="vehicles:diagram")
    async def diagram(self, request: Request, vin: str, diagram_id: int, model: str | None = None,
                      ref: str | None = None, qty: str | None = None) -> Template:
        vehicle = await vehicle_for(normalize_vin(vin), _model_id(model))
        diagram = await get_diagram(diagram_id)
        if diagram.model_id != vehicle.model_id:
            raise NotFound("this diagram is not of this vehicle's model", "diagram_id")
        shown = [row for row in diagram.rows if fits(row, vehicle) is not False]
        by_ref: dict[str, list] = {}
        for row in shown:
            by_ref.setdefault(row.ref, []).append(row)
        suffix = _suffix(vehicle, model)
        base = f"/vehicles/{vehicle.vin}/diagrams/{diagram.id}"

        def link(callout: str) -> str:
            query = {"ref": callout, **({"model": model} if model and not vehicle.complete else {})}
            return f"{base}?{urlencode(query)}#holders"

        def title(callout: str) -> str:
            rows = by_ref.get(callout, [])
            return f"{callout}: {rows[0].description}" if rows else callout

        svg = with_links(diagram.svg, link, ref, title)
        # The quantity the vehicle takes (a pair of discs: 2), unless the clerk asks for another.
        quantity = _qty(qty) if qty else max((row.quantity for row in by_ref.get(ref or "", [])), default=1)
        results, error = [], None
        if ref and ref in by_ref:
            try:
                results = await search(request.user.dealer_id, "\n".join(r.part_number for r in by_ref[ref]), quantity,
                                       Sort.distance)
            except DomainError as failure:
                error = failure
        values = {"q": "\n".join(r.part_number for r in by_ref.get(ref or "", [])), "qty": str(quantity),
                  "sort": Sort.distance.value, "radius_km": ""}
        return page(request, "vehicles/diagram.html", vehicle=vehicle, diagram=diagram, svg=Markup(svg),
                    by_ref=by_ref, hidden=len(diagram.rows) - len(shown), ref=ref, link=link, suffix=suffix,
                    results=results, error=error, values=values, request_token=secrets.token_urlsafe(12))


def _suffix(vehicle, model: str | None) -> str:
    """The query that keeps an unknown VIN's picked model on the next page."""
    return f"?{urlencode({'model': model})}" if model and not vehicle.complete else ""


class DiagramFiles(Controller):
    """A diagram's SVG as a file: sanitized at import, served with a policy that runs nothing."""

    path = "/diagrams"
    guards = [signed_in]
    include_in_schema = False

    @get("/{diagram_id:int}/svg")
    async def svg(self, diagram_id: int) -> Response:
        from marketplace.vehicles.catalog import diagram_svg

        return Response(await diagram_svg(diagram_id), media_type="image/svg+xml",
                        headers={"Content-Security-Policy": SVG_CSP, "Cache-Control": "public, max-age=300"})
