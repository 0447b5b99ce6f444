"""Pickup point pages: managers set them up; dealers keep their own hours and capacity."""

from __future__ import annotations

from decimal import Decimal

from litestar import Controller, Request, Response, get, post
from litestar.response import Template

from marketplace.accounts.auth import dealer_admin_only, dealer_only, manager_only
from marketplace.calendar import WEEKDAYS
from marketplace.errors import DomainError
from marketplace.pickup.points import (
    PointInput,
    Schedule,
    create_point,
    get_point,
    hours_as_text,
    list_points,
    parse_day,
    update_point,
    update_schedule,
)
from marketplace.pickup.tables import PickupModel
from marketplace.web.forms import checkbox, form_errors, form_fields, optional_decimal, whole_number
from marketplace.web.render import page
from marketplace.web.urls import redirect_to


def _values(point: dict) -> dict:
    return {**point, **hours_as_text(point["opening_hours"]), "active": "on" if point["active"] else ""}


class PickupPointPages(Controller):
    path = "/network/pickup-points"
    guards = [manager_only]
    include_in_schema = False

    @get("/", name="pickup-points:list")
    async def index(self, request: Request) -> Template:
        return page(request, "pickup/points.html", points=await list_points(), manager=True)

    def _form(self, request: Request, *, point: dict | None, values: dict, error: DomainError | None = None) -> Template:
        return page(request, "pickup/point_form.html", status_code=error.status_code if error else 200, point=point,
                    values=values, models=[m.value for m in PickupModel], weekdays=WEEKDAYS, errors=form_errors(error))

    @get("/new")
    async def new(self, request: Request) -> Template:
        return self._form(request, point=None, values={
            "model": "basic", "lead_time_minutes": 60, "daily_capacity": 30, "active": "on",
            **{f"hours_{day}": "08:30-12:30, 14:30-19:00" for day in WEEKDAYS[:5]}, "hours_sat": "08:30-12:30"})

    @post("/new")
    async def create(self, request: Request) -> Response:
        form = await form_fields(request)
        try:
            await create_point(_point_from_form(form))
        except DomainError as error:
            return self._form(request, point=None, values=form, error=error)
        return redirect_to(request, "pickup-points:list")

    @get("/{point_id:int}")
    async def edit(self, request: Request, point_id: int) -> Template:
        point = await get_point(point_id)
        return self._form(request, point=point, values=_values(point))

    @post("/{point_id:int}")
    async def update(self, request: Request, point_id: int) -> Response:
        point = await get_point(point_id)
        form = await form_fields(request)
        try:
            await update_point(point_id, _point_from_form(form, active_default=""))
        except DomainError as error:
            return self._form(request, point=point, values=form, error=error)
        return redirect_to(request, "pickup-points:list")


class OwnPickupPointPages(Controller):
    path = "/pickup-points"
    guards = [dealer_only]
    include_in_schema = False

    @get("/", name="own-pickup-points:list")
    async def index(self, request: Request) -> Template:
        return page(request, "pickup/points.html", points=await list_points(dealer_id=request.user.dealer_id),
                    manager=False)

    def _form(self, request: Request, point: dict, values: dict, error: DomainError | None = None) -> Template:
        return page(request, "pickup/schedule_form.html", status_code=error.status_code if error else 200,
                    point=point, values=values, weekdays=WEEKDAYS, errors=form_errors(error))

    @get("/{point_id:int}")
    async def edit(self, request: Request, point_id: int) -> Template:
        point = await get_point(point_id, dealer_id=request.user.dealer_id)
        return self._form(request, point, _values(point))

    # The hours and capacity are what the shop promises customers: a dealer's admins change them,
    # a counter clerk (dealer_staff) sees them.
    @post("/{point_id:int}", guards=[dealer_admin_only])
    async def update(self, request: Request, point_id: int) -> Response:
        point = await get_point(point_id, dealer_id=request.user.dealer_id)
        form = await form_fields(request)
        try:
            await update_schedule(point_id, _schedule_from_form(form), dealer_id=request.user.dealer_id)
        except DomainError as error:
            return self._form(request, point, form, error)
        return redirect_to(request, "own-pickup-points:list")


def _schedule_from_form(form: dict[str, str]) -> Schedule:
    return Schedule(
        opening_hours={day: parse_day(form.get(f"hours_{day}", ""), f"hours_{day}") for day in WEEKDAYS},
        lead_time_minutes=whole_number(form, "lead_time_minutes", 0, 7 * 24 * 60),
        daily_capacity=whole_number(form, "daily_capacity", 0, 100_000),
    )


def _point_from_form(form: dict[str, str], active_default: str = "on") -> PointInput:
    """A new point's form leaves "active" on unless unticked; an edit form sends it only when ticked."""
    return PointInput(
        dealer_code=form.get("dealer_code", ""), name=form.get("name", ""), model=form.get("model", "basic"),
        postal_code=form.get("postal_code", ""), address=form.get("address", ""), city=form.get("city", ""),
        schedule=_schedule_from_form(form),
        fee_per_parcel=optional_decimal(form, "fee_per_parcel", Decimal("1000")),
        commission_pct=optional_decimal(form, "commission_pct", Decimal("100")),
        active=checkbox({"active": form.get("active", active_default)}, "active"),
    )
