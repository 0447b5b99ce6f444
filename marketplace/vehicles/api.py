"""JSON API: vehicles by VIN, diagrams with their callouts, and the vehicle master's upsert."""

from __future__ import annotations

from datetime import date

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.status_codes import HTTP_200_OK, HTTP_422_UNPROCESSABLE_ENTITY

from marketplace.accounts.auth import manager_only, signed_in
from marketplace.errors import Invalid, NotFound
from marketplace.vehicles.catalog import fits, get_diagram, groups_of
from marketplace.vehicles.diagrams import svg_url
from marketplace.vehicles.master import find_vehicle, upsert_vehicles, vehicle_input


class DiagramRefOut(msgspec.Struct):
    id: int
    name: str


class GroupOut(msgspec.Struct):
    code: str
    name: str
    diagrams: list[DiagramRefOut]


class VehicleOut(msgspec.Struct):
    vin: str
    manufacturer: str
    model: str
    version: str
    engine_code: str
    model_year: int | None
    groups: list[GroupOut]
    build_date: date | None = None
    option_codes: list[str] = []
    check_digit_ok: bool = True


class CalloutPartOut(msgspec.Struct):
    part_number: str
    description: str
    quantity: int
    fits: bool | None
    note: str = ""


class CalloutOut(msgspec.Struct):
    ref: str
    parts: list[CalloutPartOut]


class DiagramOut(msgspec.Struct):
    id: int
    name: str
    svg_url: str
    callouts: list[CalloutOut]
    model: str = ""
    group: str = ""
    subgroup: str = ""


class VehicleIn(msgspec.Struct):
    vin: str
    model: str
    version: str = ""
    engine_code: str = ""
    model_year: int | None = None
    build_date: date | None = None
    option_codes: list[str] = []


class UpsertReportOut(msgspec.Struct):
    received: int
    created: int
    updated: int
    rejected: list[dict]


MAX_UPSERT = 5000


class VehicleApi(Controller):
    path = "/api/v1/vehicles"
    tags = ["vehicles"]

    @get("/{vin:str}", guards=[signed_in])
    async def vehicle(self, vin: str) -> VehicleOut:
        """A vehicle by VIN with its catalog's groups and diagrams. 422 with the reason when ``vin`` is
        not a VIN; 404 with the ``manufacturer`` its WMI names when the master does not hold it."""
        vehicle = await find_vehicle(vin)
        groups = await groups_of(vehicle.model_id)
        return VehicleOut(
            vin=vehicle.vin, manufacturer=vehicle.manufacturer, model=vehicle.model, version=vehicle.version,
            engine_code=vehicle.engine_code, model_year=vehicle.model_year, build_date=vehicle.build_date,
            option_codes=list(vehicle.option_codes), check_digit_ok=vehicle.check_digit_ok,
            groups=[GroupOut(g.code, g.name, [DiagramRefOut(d.id, d.name) for d in g.all_diagrams()]) for g in groups],
        )

    @post("/", guards=[manager_only], status_code=HTTP_200_OK)
    async def upsert(self, data: list[VehicleIn]) -> Response[UpsertReportOut]:
        """Create or update vehicles by VIN; refused items are listed by index with the reason (422
        when none was applied)."""
        if len(data) > MAX_UPSERT:
            raise Invalid(f"at most {MAX_UPSERT} vehicles at a time", "body")
        accepted, rejected = [], []
        for index, item in enumerate(data):
            try:
                accepted.append(vehicle_input(item.vin, item.model, item.version, item.engine_code, item.model_year,
                                              item.build_date, item.option_codes))
            except ValueError as error:
                rejected.append({"index": index, "vin": item.vin, "reason": str(error)})
        seen: set[str] = set()
        unique = []
        for index, vehicle in enumerate(accepted):
            if vehicle.vin in seen:
                rejected.append({"index": index, "vin": vehicle.vin, "reason": "VIN listed twice"})
            else:
                seen.add(vehicle.vin)
                unique.append(vehicle)
        report = await upsert_vehicles(unique)
        status = HTTP_422_UNPROCESSABLE_ENTITY if rejected and not report.lines_applied else HTTP_200_OK
        return Response(UpsertReportOut(len(data), report.created, report.updated, rejected), status_code=status)


class DiagramApi(Controller):
    path = "/api/v1/diagrams"
    guards = [signed_in]
    tags = ["vehicles"]

    @get("/{diagram_id:int}")
    async def diagram(self, request: Request, diagram_id: int, vin: str | None = None) -> DiagramOut:
        """A diagram's callouts and their part rows; with ``vin``, whether each row ``fits`` that
        vehicle (null without one, or for a valid VIN the master does not hold; 422 for an invalid one)."""
        vehicle = None
        if vin:
            try:
                vehicle = await find_vehicle(vin)  # 422 for a bad VIN
            except NotFound:
                vehicle = None  # a valid VIN the master does not hold: applicability unknown
        diagram = await get_diagram(diagram_id)
        if vehicle is not None and vehicle.model_id != diagram.model_id:
            raise Invalid("this diagram is not of this vehicle's model", "vin")
        callouts: dict[str, list[CalloutPartOut]] = {}
        for row in diagram.rows:
            callouts.setdefault(row.ref, []).append(
                CalloutPartOut(row.part_number, row.description, row.quantity, fits(row, vehicle), row.note))
        return DiagramOut(id=diagram.id, name=diagram.name, svg_url=svg_url(diagram.id),
                          callouts=[CalloutOut(ref, parts) for ref, parts in callouts.items()],
                          model=diagram.model, group=diagram.group, subgroup=diagram.subgroup)
