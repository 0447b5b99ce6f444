"""Pickup point pages: managers set them up; dealers keep their own hours and capacity."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.response import Template

from marketplace.accounts.auth import dealer_admin_only, dealer_only, manager_only
from marketplace.calendar import WEEKDAYS
from marketplace.errors import DomainError
from marketplace.pickup.points import (
    PointInput, Schedule, create_point, get_point, hours_as_text, list_points, update_point,
    update_schedule,
)
from marketplace.pickup.tables import PickupModel
from marketplace.web.forms import form_errors, form_fields
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
            await create_point(PointInput.from_form(form))
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
            await update_point(point_id, PointInput.from_form({**form, "active": form.get("active", "")}))
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
            await update_schedule(point_id, Schedule.from_form(form), dealer_id=request.user.dealer_id)
        except DomainError as error:
            return self._form(request, point, form, error)
        return redirect_to(request, "own-pickup-points:list")
