"""VIN validation, the vehicle master's import and lookup, and the vehicle API."""

from __future__ import annotations

import pytest

from marketplace.errors import Invalid
from marketplace.vehicles.master import import_vehicles, vehicle_list
from marketplace.vehicles.vin import check_vin, looks_like_vin, vin_problem
from tests.conftest import make_dealer, make_key
from tests.matching.network import key_of
from tests.vehicles.catalog import GOLF, UNKNOWN_VW, build_vehicle_catalog


@pytest.mark.parametrize(("text", "reason"), [
    ("", "type the 17 characters of the VIN"),
    ("WVWZZZCDZMW00000", "a VIN has exactly 17 characters"),
    ("WVWZZZCDZMW0000001", "a VIN has exactly 17 characters"),
    ("WVWZZZCDZMWOOOOO1", "a VIN never contains the letters I, O or Q (they are the digits 1 and 0)"),
    ("WVWZZZCDZMW0000_1", "a VIN has only letters and digits"),
])
def test_a_bad_vin_says_why(text, reason):
    assert vin_problem(text) == reason
    with pytest.raises(Invalid) as failure:
        check_vin(text)
    assert failure.value.field == "vin" and failure.value.message == reason


def test_a_vin_typed_any_way_gives_its_manufacturer_and_year_hint():
    facts = check_vin("wvw zzz cd zmw-000001")
    assert facts.vin == GOLF
    assert facts.manufacturer == "Volkswagen"
    assert facts.model_year_hint == 2021  # M
    assert facts.check_digit_ok is False  # Z in position 9: Europe's way, reported, not refused
    assert check_vin("TMBZZZNXZLW000001").manufacturer == "Škoda"


def test_the_search_box_tells_a_vin_from_part_numbers():
    assert looks_like_vin(GOLF)
    assert looks_like_vin("wvwzzzcdzmw000001")
    assert not looks_like_vin("1K0 615 301 AA")
    assert not looks_like_vin("12345678901234567")  # all digits: a part number, not a VIN
    assert not looks_like_vin(f"{GOLF}\n03L 115 562")  # a pasted list


async def test_the_csv_import_reports_line_by_line_and_upserts():
    data = (
        "vin,model,version,engine_code,model_year,build_date,option_codes\n"
        f"{GOLF},Golf VIII,1.5 eTSI,DPCA,2021,2021-03-15,8IT 1ZA\n"
        "WVWZZZCDZMW00000,Golf VIII,,,,,\n"
        "WVWZZZCDZMW000003,,,,,,\n"
        "WVWZZZCDZMW000004,Golf VIII,,DPCA,20x1,,\n"
        "WVWZZZCDZMW000005,Golf VIII,,,2021,15/03/2021,\n"
        f"{GOLF.lower()},Golf VIII,,,,,\n"
    ).encode()
    report = await import_vehicles(data)
    assert (report.lines_read, report.created, report.updated) == (6, 1, 0)
    assert [(r.line, r.reason) for r in report.rejected] == [
        (3, "a VIN has exactly 17 characters"),
        (4, "model is empty or longer than 80 characters"),
        (5, "model_year '20x1' is not a year"),
        (6, "build_date '15/03/2021' is not a date (YYYY-MM-DD)"),
        (7, "VIN listed twice: also on line 2"),
    ]
    again = await import_vehicles(f"vin,model,engine_code\n{GOLF},Golf VIII,DLAA\n".encode())
    assert (again.created, again.updated) == (0, 1)
    assert await vehicle_list() == [{"vin": GOLF, "model": "Golf VIII"}]


async def test_the_vehicle_api_answers_known_unknown_and_invalid(client):
    await build_vehicle_catalog()
    headers = {"Authorization": f"Bearer {await key_of('MI')}"}
    known = await client.get(f"/api/v1/vehicles/{GOLF.lower()}", headers=headers)
    assert known.status_code == 200
    body = known.json()
    assert {k: body[k] for k in ("vin", "manufacturer", "model", "version", "engine_code", "model_year")} == {
        "vin": GOLF, "manufacturer": "Volkswagen", "model": "Golf VIII", "version": "1.5 eTSI",
        "engine_code": "DPCA", "model_year": 2021}
    assert body["groups"] == [{"code": "47", "name": "Freni", "diagrams": [
        {"id": body["groups"][0]["diagrams"][0]["id"], "name": "Freno a disco anteriore"}]}]

    unknown = await client.get(f"/api/v1/vehicles/{UNKNOWN_VW}", headers=headers)
    assert unknown.status_code == 404
    assert unknown.json()["manufacturer"] == "Volkswagen" and unknown.json()["field"] == "vin"

    invalid = await client.get("/api/v1/vehicles/WVWZZZCDZMWOOOOO1", headers=headers)
    assert invalid.status_code == 422
    assert invalid.json()["detail"] == "a VIN never contains the letters I, O or Q (they are the digits 1 and 0)"

    assert (await client.get(f"/api/v1/vehicles/{GOLF}")).status_code == 401


async def test_the_upsert_api_is_for_managers_and_names_refused_items(client):
    from marketplace.accounts.tables import Role

    manager = {"Authorization": f"Bearer {await make_key(Role.network_manager)}"}
    answer = await client.post("/api/v1/vehicles", headers=manager, json=[
        {"vin": GOLF, "model": "Golf VIII", "engine_code": "DPCA", "model_year": 2021, "option_codes": ["8IT"]},
        {"vin": "WVWZZZCDZMWIIIII1", "model": "Golf VIII"},
    ])
    assert answer.status_code == 200
    assert answer.json()["created"] == 1
    assert answer.json()["rejected"][0]["index"] == 1
    assert await vehicle_list() == [{"vin": GOLF, "model": "Golf VIII"}]
    refused = await client.post("/api/v1/vehicles", headers=manager, json=[{"vin": "X", "model": "Golf"}])
    assert refused.status_code == 422
    await make_dealer("D001")
    dealer = {"Authorization": f"Bearer {await key_of('D001')}"}
    assert (await client.post("/api/v1/vehicles", headers=dealer, json=[])).status_code == 403
