"""Pickup points: managers set them up, dealers keep their own hours and capacity."""

import re

import pytest

from marketplace.accounts.tables import Role
from marketplace.errors import Invalid
from marketplace.pickup.points import parse_day
from marketplace.pickup.tables import PickupPoint
from tests.conftest import csrf_token, make_dealer, make_user, sign_in

FORM = {"dealer_code": "d001", "name": "Banco ritiro Milano", "model": "basic", "address": "Via Dante 1",
        "postal_code": "20121", "lead_time_minutes": "90", "daily_capacity": "40",
        "hours_mon": "08:30-12:30, 14:30-19:00", "hours_sat": "8.30-12.30"}


def test_opening_hours_are_read_from_text():
    assert parse_day("14:30-19:00, 08:30-12:30", "h") == [["08:30", "12:30"], ["14:30", "19:00"]]
    assert parse_day("  ", "h") == []
    assert parse_day("8.30-12.30", "h") == [["08:30", "12:30"]]
    for bad, reason in (("8-12", "not a time range"), ("12:00-08:00", "end after"),
                        ("08:00-12:00, 11:00-13:00", "overlap"), ("25:00-26:00", "not a time range")):
        with pytest.raises(Invalid, match=reason):
            parse_day(bad, "h")


async def _post(client, path, form):
    token = await csrf_token(client, "/")
    return await client.post(path, data={**form, "_csrf_token": token})


async def test_manager_creates_a_point_placed_from_its_postal_code(manager):
    await make_dealer("D001", "20121")
    response = await _post(manager, "/network/pickup-points/new", FORM)
    assert response.status_code == 303, re.findall(r'class="error[^"]*"[^>]*>([^<]*)', response.text)
    point = await PickupPoint.select().output(load_json=True).first()
    assert point["city"] == "Milano" and abs(point["lat"] - 45.46) < 0.1
    assert point["opening_hours"]["mon"] == [["08:30", "12:30"], ["14:30", "19:00"]]
    assert point["opening_hours"]["sat"] == [["08:30", "12:30"]] and point["opening_hours"]["sun"] == []
    assert (point["lead_time_minutes"], point["daily_capacity"], point["model"]) == (90, 40, "basic")
    listing = await manager.get("/network/pickup-points")
    assert "Banco ritiro Milano" in listing.text and "base (consegna pacchi)" in listing.text


@pytest.mark.parametrize("change, field, status", [
    ({"dealer_code": "NOPE"}, "dealer_code", 422), ({"postal_code": "99999"}, "postal_code", 422),
    ({"model": "kiosk"}, "model", 422), ({"hours_tue": "9-18"}, "hours_tue", 422),
    ({"daily_capacity": "-1"}, "daily_capacity", 422), ({"fee_per_parcel": "0,805"}, "fee_per_parcel", 422),
    ({"name": " "}, "name", 422),
])
async def test_bad_point_input_is_refused_naming_the_field(manager, change, field, status):
    await make_dealer("D001", "20121")
    response = await _post(manager, "/network/pickup-points/new", {**FORM, **change})
    assert response.status_code == status
    assert f'id="f-{field}"' in response.text and 'aria-invalid="true"' in response.text
    assert await PickupPoint.count() == 0


async def test_a_dealer_edits_its_own_hours_and_capacity_only(client):
    from marketplace.pickup.points import PointInput, Schedule, create_point

    await make_dealer("D001", "20121")
    await make_dealer("D002", "00184")
    schedule = Schedule({"mon": [["09:00", "18:00"]]}, 60, 10)
    own = await create_point(PointInput("D001", "Milano", "basic", "20121", "", schedule))
    other = await create_point(PointInput("D002", "Roma", "basic", "00184", "", schedule))
    await make_user("admin@d001.example", Role.dealer_admin, "D001")
    await sign_in(client, "admin@d001.example")
    listing = await client.get("/pickup-points")
    assert "Milano" in listing.text and "Roma" not in listing.text
    response = await _post(client, f"/pickup-points/{own}", {"lead_time_minutes": "30", "daily_capacity": "25",
                                                             "hours_mon": "08:00-13:00"})
    assert response.status_code == 303
    row = await PickupPoint.select().where(PickupPoint.id == own).output(load_json=True).first()
    assert (row["daily_capacity"], row["lead_time_minutes"], row["opening_hours"]["mon"]) == (25, 30, [["08:00", "13:00"]])
    assert (await client.get(f"/pickup-points/{other}")).status_code == 404
    refused = await _post(client, f"/pickup-points/{other}", {"lead_time_minutes": "1", "daily_capacity": "1"})
    assert refused.status_code == 404
    assert (await PickupPoint.select(PickupPoint.daily_capacity).where(PickupPoint.id == other).first())[
        "daily_capacity"] == 10
    assert (await client.get("/network/pickup-points")).status_code == 403


async def test_a_counter_clerk_sees_the_hours_but_only_the_dealers_admins_change_them(client):
    from marketplace.pickup.points import PointInput, Schedule, create_point

    await make_dealer("D001", "20121")
    own = await create_point(PointInput("D001", "Milano", "basic", "20121", "", Schedule({"mon": [["09:00", "18:00"]]}, 60, 10)))
    await make_user("banco@d001.example", Role.dealer_staff, "D001")
    await sign_in(client, "banco@d001.example")
    form = await client.get(f"/pickup-points/{own}")
    assert form.status_code == 200 and "amministratori" in form.text and 'type="submit" class="primary"' not in form.text
    refused = await _post(client, f"/pickup-points/{own}", {"lead_time_minutes": "1", "daily_capacity": "500",
                                                            "hours_mon": "00:00-24:00"})
    assert refused.status_code == 403
    row = await PickupPoint.select(PickupPoint.daily_capacity, PickupPoint.lead_time_minutes).where(
        PickupPoint.id == own).first()
    assert (row["daily_capacity"], row["lead_time_minutes"]) == (10, 60)
