"""Manager pages: the territory map and list, adding and deleting, the nearest-dealer proposal."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import numpy as np
from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from marketplace.accounts.auth import manager_only
from marketplace.errors import DomainError, Invalid
from marketplace.geo.svg_map import MapArea, MapConflict, MapPoint, dealer_colour, render_map
from marketplace.geo.territories import (
    TerritoryInput,
    create_territories,
    create_territory,
    delete_territory,
    footprints,
    list_territories,
)
from marketplace.geo.territory_lookup import today
from marketplace.geo.territory_overlaps import Footprint, overlapping_pairs
from marketplace.geo.territory_proposal import Method, Proposal, propose_by_nearest_dealer
from marketplace.geo.territory_shapes import (
    area_km2,
    expand_postal_codes,
    postal_code_index,
    split_postal_codes,
    to_geojson,
)
from marketplace.network.tables import Dealer
from marketplace.web.forms import checkbox, form_date, form_errors, form_fields
from marketplace.web.i18n import gettext_for
from marketplace.web.render import language_of, page
from marketplace.web.urls import redirect_to


class TerritoryPages(Controller):
    path = "/network/territories"
    guards = [manager_only]
    include_in_schema = False

    @get("/", name="territories:list")
    async def index(self, request: Request, on: date | None = None, saved: int = 0) -> Template:
        return await self._overview(request, on=on, saved=saved, values={"exclusive": "on"})

    @post("/")
    async def create(self, request: Request) -> Response:
        form = await form_fields(request)
        try:
            await create_territory(_territory_from_form(form))
        except DomainError as error:
            return await self._overview(request, values=form, error=error)
        return redirect_to(request, "territories:list", {"saved": 1})

    @post("/{territory_id:int}/delete")
    async def remove(self, request: Request, territory_id: int) -> Redirect:
        await delete_territory(territory_id)
        return redirect_to(request, "territories:list")

    @get("/proposal")
    async def proposal(self, request: Request, method: str = Method.voronoi.value) -> Template:
        return await self._proposal(request, _method(method), valid_from=today().isoformat())

    @post("/proposal")
    async def save_proposal(self, request: Request) -> Response:
        form = await form_fields(request)
        method = _method(form.get("method", ""))
        proposals = await propose_by_nearest_dealer(method)
        try:
            valid_from = form_date(form.get("valid_from"), "valid_from")
            saved = await create_territories([_as_input(p, valid_from) for p in proposals if _covers(p)])
        except DomainError as error:
            return await self._proposal(request, method, valid_from=form.get("valid_from", ""), error=error,
                                        proposals=proposals)
        return redirect_to(request, "territories:list", {"saved": len(saved)})

    async def _overview(self, request: Request, *, values: dict, on: date | None = None, saved: int = 0,
                        error: DomainError | None = None) -> Template:
        _ = _gettext(request)
        day = on or today()
        rows = await list_territories(with_geometry=True)
        shapes = footprints(rows)
        areas = [area_km2(f.shape) if f.shape is not None else None for f in shapes]
        live = [(row, f) for row, f in zip(rows, shapes) if _valid_on(row, day)]
        overlaps = overlapping_pairs([f for row, f in live if row["exclusive"]])
        in_conflict = {f.territory_id for o in overlaps for f in (o.territory, o.other)}
        dealers = await _dealers()
        svg = render_map(
            [_area(row, f, _) for row, f in live],
            [MapPoint(f"{d['code']} · {d['name']} · {d['city']}", d["lat"], d["lon"]) for d in dealers if d["lat"]],
            [MapConflict(_("Conflict: %(a)s and %(b)s overlap", a=o.territory.label(), b=o.other.label()), o.shape)
             for o in overlaps],
            title=_("Territories on %(day)s", day=day.isoformat()),
        )
        errors = form_errors(error)
        if "geometry" in errors:
            errors["form"] = errors.pop("geometry")
        return page(
            request, "geo/territories.html", status_code=error.status_code if error else 200,
            svg=svg, day=day, territories=[
                {**row, "area_km2": area, "code_count": len(expand_postal_codes(row["postal_codes"] or ())),
                 "live": _valid_on(row, day), "conflict": row["id"] in in_conflict, "colour": dealer_colour(row["dealer_code"])}
                for row, area in zip(rows, areas)
            ],
            overlaps=overlaps, dealers=dealers, values=values, errors=errors, saved=saved,
        )

    async def _proposal(self, request: Request, method: Method, *, valid_from: str, error: DomainError | None = None,
                        proposals: Sequence[Proposal] | None = None) -> Template:
        _ = _gettext(request)
        if proposals is None:
            proposals = await propose_by_nearest_dealer(method)
        caps = postal_code_index()
        areas = []
        for p in proposals:
            title = f"{p.site.dealer_code} · {p.site.name} · {p.site.city}"
            if p.geometry is not None:
                areas.append(MapArea(title, dealer_colour(p.site.dealer_code), True, shape=p.geometry))
            elif p.postal_codes:
                points = np.column_stack((caps.lons, caps.lats))[[caps.position(c) for c in p.postal_codes]]
                areas.append(MapArea(title, dealer_colour(p.site.dealer_code), True, points=points))
        sites = [p.site for p in proposals]
        svg = render_map(areas, [MapPoint(f"{s.dealer_code} · {s.name} · {s.city}", s.lat, s.lon) for s in sites],
                         title=_("Proposal: Italy split by nearest dealer"))
        return page(
            request, "geo/proposal.html", status_code=error.status_code if error else 200,
            svg=svg, method=method.value, methods=[m.value for m in Method],
            proposals=[{"proposal": p, "colour": dealer_colour(p.site.dealer_code), "empty": not _covers(p)}
                       for p in proposals],
            valid_from=valid_from, errors=form_errors(error),
        )


def _gettext(request: Request) -> Callable[..., str]:
    return gettext_for(language_of(request))


def _method(value: str) -> Method:
    try:
        return Method(value)
    except ValueError:
        raise Invalid(f"unknown method {value!r}: use voronoi or postal_codes", "method") from None


def _valid_on(row: dict, day: date) -> bool:
    return row["valid_from"] <= day and (row["valid_to"] is None or day <= row["valid_to"])


def _area(row: dict, footprint: Footprint, _: Callable[..., str]) -> MapArea:
    kind = _("exclusive") if row["exclusive"] else _("shared")
    title = f"{row['dealer_code']} · {row['name']} · {kind}"
    colour = dealer_colour(row["dealer_code"])
    if footprint.shape is not None:
        return MapArea(title, colour, row["exclusive"], shape=footprint.shape)
    caps = postal_code_index()
    positions = [caps.position(code) for code in sorted(footprint.caps)]
    return MapArea(title, colour, row["exclusive"], points=np.column_stack((caps.lons[positions], caps.lats[positions])))


def _covers(proposal: Proposal) -> bool:
    return bool(proposal.postal_codes) or (proposal.geometry is not None and not proposal.geometry.is_empty)


def _as_input(proposal: Proposal, valid_from: date | None) -> TerritoryInput:
    site = proposal.site
    name = f"{site.city} · {site.dealer_code}" if site.city else site.dealer_code
    if proposal.geometry is not None:
        return TerritoryInput(site.dealer_code, name, True, geometry=to_geojson(proposal.geometry), valid_from=valid_from)
    return TerritoryInput(site.dealer_code, name, True, postal_codes=list(proposal.postal_codes), valid_from=valid_from)


async def _dealers() -> list[dict]:
    return await Dealer.select(Dealer.code, Dealer.name, Dealer.city, Dealer.lat, Dealer.lon).where(
        Dealer.active.eq(True)).order_by(Dealer.code)


def _territory_from_form(form: dict[str, str]) -> TerritoryInput:
    """A submitted form: codes and provinces typed in boxes, dates as YYYY-MM-DD."""
    codes = split_postal_codes(form.get("postal_codes", ""))
    provinces = split_postal_codes(form.get("provinces", ""))
    return TerritoryInput(
        dealer_code=form.get("dealer_code", ""), name=form.get("name", ""), exclusive=checkbox(form, "exclusive"),
        postal_codes=codes or (None if provinces else []), provinces=provinces or None,
        valid_from=form_date(form.get("valid_from"), "valid_from"), valid_to=form_date(form.get("valid_to"), "valid_to"),
    )
