"""Diagram import (sanitized SVGs, line-by-line report), which rows fit a vehicle, the diagram API,
the served SVG, and diagrams_showing for the reorder history."""

from __future__ import annotations

from marketplace.accounts.tables import Role
from marketplace.inventory.tables import Part
from marketplace.vehicles.catalog import fits, get_diagram
from marketplace.vehicles.diagram_import import import_diagrams
from marketplace.vehicles.diagrams import diagrams_showing
from marketplace.vehicles.master import find_vehicle, model_vehicle
from marketplace.vehicles.svg import sanitize_svg
from tests.conftest import make_user, sign_in
from tests.matching.network import key_of
from tests.vehicles.catalog import GOLF, GOLF_DIESEL, HEADER, PREFIX, SVG, UNKNOWN_VW, build_vehicle_catalog


async def test_the_stored_svg_keeps_shapes_and_callouts_and_drops_scripts():
    built = await build_vehicle_catalog()
    diagram = await get_diagram(built["diagram_id"])
    assert diagram.refs() == ["1", "2", "3"]
    for bad in ("script", "onload", "onclick", "javascript", "alert", "<a "):
        assert bad not in diagram.svg
    assert diagram.svg.count('data-ref="') == 3 and "<circle" in diagram.svg


def test_the_sanitizer_refuses_what_is_not_an_svg():
    import pytest

    from marketplace.errors import Invalid

    for data, reason in [
        (b"<html><body/></html>", "the file is not an SVG (its root is not <svg>)"),
        (b"<svg", "the SVG is not well-formed XML"),
        (b'<!DOCTYPE svg [<!ENTITY x "y">]><svg>&x;</svg>', "the SVG has a DOCTYPE or entities"),
    ]:
        with pytest.raises(Invalid) as failure:
            sanitize_svg(data)
        assert failure.value.message.startswith(reason) and failure.value.field == "svg"
    assert 'fill="url' not in sanitize_svg(b'<svg><rect fill="url(http://evil/x)"/><rect style="x"/></svg>')
    assert sanitize_svg(b'<svg id="holders" class="banner"><g data-ref="1" id="q"/></svg>') == (
        '<svg xmlns="http://www.w3.org/2000/svg"><g data-ref="1"></g></svg>')
    with pytest.raises(Invalid):
        sanitize_svg('<svg/>'.encode("utf-16"))


async def test_the_import_names_each_refused_line():
    await build_vehicle_catalog()
    data = HEADER + (
        f"{PREFIX},1,1K0 615 301 AA,1,,,,,\n"
        f"{PREFIX},9,03L 115 562,1,,,,,\n"  # not drawn
        f"{PREFIX},2,NOPE-123,1,,,,,\n"  # not in the catalog
        f"{PREFIX},3,03L 115 562,0,,,,,\n"  # quantity
        f"{PREFIX},3,03L 115 562,1,,2022,2020,,\n"  # years
        "Golf VIII,11,Olio e filtri,11A,Manutenzione,11A-1,Filtri,missing.svg,1,03L 115 562,1,,,,,\n"
    )
    report = await import_diagrams(data.encode(), {"brakes.svg": SVG.encode()})
    assert (report.lines_read, report.diagrams, report.rows) == (6, 1, 1)
    assert [(r.line, r.reason) for r in report.rejected] == [
        (3, "callout 9 is not drawn in brakes.svg"),
        (4, "part NOPE-123 is not in the catalog"),
        (5, "quantity '0' is not a whole number from 1 to 999"),
        (6, "year_from is after year_to"),
        (7, "the SVG file missing.svg is not in the folder"),
    ]
    diagram = await get_diagram((await _first_diagram()))
    assert [(r.ref, r.part_number) for r in diagram.rows] == [("1", "1K0 615 301 AA")]  # the rows were replaced


async def _first_diagram() -> int:
    from marketplace.vehicles.tables import Diagram

    return (await Diagram.select(Diagram.id).first())["id"]


async def test_only_rows_that_fit_the_vehicle_fit():
    built = await build_vehicle_catalog()
    diagram = await get_diagram(built["diagram_id"])
    petrol, diesel = await find_vehicle(GOLF), await find_vehicle(GOLF_DIESEL)
    fitting = {vehicle.vin: [(r.ref, r.part_number) for r in diagram.rows if fits(r, vehicle)]
               for vehicle in (petrol, diesel)}
    assert fitting[GOLF] == [("1", "1K0 615 301 AA"), ("2", "5Q0 698 151 A"), ("3", "04E 115 561 H")]
    assert fitting[GOLF_DIESEL] == [("1", "1K0 615 301 AA"), ("2", "5Q0 698 151 B"), ("3", "03L 115 562")]
    # An unknown VIN seen as the picked model: applicability cannot be told.
    unknown = await model_vehicle(UNKNOWN_VW, diagram.model_id)
    assert {fits(r, unknown) for r in diagram.rows} == {None}


async def test_the_diagram_api_gives_callouts_and_fits(client):
    built = await build_vehicle_catalog()
    headers = {"Authorization": f"Bearer {await key_of('MI')}"}
    answer = await client.get(f"/api/v1/diagrams/{built['diagram_id']}", params={"vin": GOLF_DIESEL}, headers=headers)
    assert answer.status_code == 200
    body = answer.json()
    assert body["id"] == built["diagram_id"] and body["name"] == "Freno a disco anteriore"
    assert body["svg_url"] == f"/diagrams/{built['diagram_id']}/svg"
    assert [(c["ref"], [(p["part_number"], p["quantity"], p["fits"]) for p in c["parts"]]) for c in body["callouts"]] == [
        ("1", [("1K0 615 301 AA", 2, True)]),
        ("2", [("5Q0 698 151 A", 1, False), ("5Q0 698 151 B", 1, True)]),
        ("3", [("03L 115 562", 1, True), ("04E 115 561 H", 1, False)]),
    ]
    without = (await client.get(f"/api/v1/diagrams/{built['diagram_id']}", headers=headers)).json()
    assert {p["fits"] for c in without["callouts"] for p in c["parts"]} == {None}
    unknown = await client.get(f"/api/v1/diagrams/{built['diagram_id']}", params={"vin": UNKNOWN_VW}, headers=headers)
    assert unknown.status_code == 200 and {p["fits"] for c in unknown.json()["callouts"] for p in c["parts"]} == {None}
    assert (await client.get("/api/v1/diagrams/999", headers=headers)).status_code == 404
    bad = await client.get(f"/api/v1/diagrams/{built['diagram_id']}", params={"vin": "123"}, headers=headers)
    assert bad.status_code == 422 and bad.json()["field"] == "vin"


async def test_the_svg_is_served_as_an_image_that_runs_nothing(client):
    built = await build_vehicle_catalog()
    assert (await client.get(f"/diagrams/{built['diagram_id']}/svg")).status_code in (302, 303, 401)
    await make_user("banco@mi.example", Role.dealer_staff, "MI")
    await sign_in(client, "banco@mi.example")
    answer = await client.get(f"/diagrams/{built['diagram_id']}/svg")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("image/svg+xml")
    assert answer.headers["content-security-policy"] == "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "<script" not in answer.text and 'data-ref="2"' in answer.text
    assert (await client.get("/diagrams/999/svg")).status_code == 404


async def test_diagrams_showing_finds_a_part_and_the_numbers_of_its_chain():
    built = await build_vehicle_catalog()
    ids = {r["part_number"]: r["id"] for r in await Part.select(Part.part_number, Part.id)}
    shown = await diagrams_showing([ids["1K0 615 301 AA"], ids["5Q0 615 301 F"], ids["RARE-1"], ids["03L 115 562"]])
    expected = (built["diagram_id"], "Freno a disco anteriore", f"/diagrams/{built['diagram_id']}/svg")
    # The newest disc is on no diagram itself: its chain's old number is.
    assert shown == {ids["1K0 615 301 AA"]: expected, ids["5Q0 615 301 F"]: expected, ids["03L 115 562"]: expected}
    assert await diagrams_showing([]) == {}
