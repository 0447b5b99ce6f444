"""A dealer's own closures (patron saint, August) in its working days, SLAs and readiness; the page."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from marketplace.accounts.tables import Role
from marketplace.calendar import Closures, add_working_days, add_working_hours, is_working_day
from marketplace.matching.tables import Transfer
from marketplace.matching.transfer_expiry import expire_stale_agreements
from marketplace.network.closures import ClosureInput, add_closure
from marketplace.network.tables import DealerClosure
from marketplace.pickup.readiness import promised_ready
from tests.conftest import csrf_token, make_dealer, make_user, sign_in
from tests.matching.network import build_network, key_of, stock

ROME = ZoneInfo("Europe/Rome")
SAN_GIOVANNI = Closures(((date(2027, 6, 24), date(2027, 6, 24)),))  # Torino's patron saint, a Thursday
AUGUST = Closures(((date(2027, 8, 9), date(2027, 8, 20)),))


def test_a_closed_day_is_not_a_working_day():
    assert is_working_day(date(2027, 6, 24)) and not is_working_day(date(2027, 6, 24), SAN_GIOVANNI)
    assert is_working_day(date(2027, 8, 16)) and not is_working_day(date(2027, 8, 16), AUGUST)
    assert not is_working_day(date(2027, 8, 17), AUGUST) and is_working_day(date(2027, 8, 23), AUGUST)


def test_working_hours_skip_the_dealers_closures():
    wednesday_16 = datetime(2027, 6, 23, 16, 0, tzinfo=ROME)
    network = add_working_hours(wednesday_16, 4)
    dealer = add_working_hours(wednesday_16, 4, SAN_GIOVANNI)
    assert network.astimezone(ROME).replace(tzinfo=None) == datetime(2027, 6, 24, 10, 0)
    assert dealer.astimezone(ROME).replace(tzinfo=None) == datetime(2027, 6, 25, 10, 0)  # Friday
    friday = datetime(2027, 8, 6, 17, 0, tzinfo=ROME)
    assert add_working_hours(friday, 2, AUGUST).astimezone(ROME).replace(tzinfo=None) == datetime(2027, 8, 23, 9, 0)
    assert add_working_days(friday, 1, AUGUST).date() == date(2027, 8, 23)
    assert add_working_days(friday, 1).date() == date(2027, 8, 9)


def test_a_pickup_point_is_not_ready_on_its_dealers_closed_day():
    hours = {day: [["08:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
    wednesday_17 = datetime(2027, 6, 23, 17, 30, tzinfo=ROME)
    open_ = promised_ready(hours, 60, wednesday_17, 10, {})
    closed = promised_ready(hours, 60, wednesday_17, 10, {}, SAN_GIOVANNI)
    assert open_.replace(tzinfo=None) == datetime(2027, 6, 24, 8, 30)
    assert closed.replace(tzinfo=None) == datetime(2027, 6, 25, 8, 30)


async def test_the_transfer_sla_counts_the_suppliers_calendar(client):
    await build_network()
    await stock("MZ", "03L 115 562", 5, "9.95")
    today = datetime.now(ROME).date()
    await add_closure("MZ", ClosureInput(today, today + timedelta(days=6), "Ferie"))
    made = await client.post("/api/v1/transfers", json={"supplier": "MZ", "part_number": "03L115562", "quantity": 1},
                             headers={"Authorization": f"Bearer {await key_of('MI')}"})
    assert made.status_code == 201, made.text
    row = await Transfer.select(Transfer.created_at, Transfer.expires_at).first()
    closed = Closures(((today, today + timedelta(days=6)),))
    assert row["expires_at"] == add_working_hours(row["created_at"], 4, closed)
    assert row["expires_at"].astimezone(ROME).date() > today + timedelta(days=6)  # after the supplier reopens


async def test_the_shipping_deadline_counts_the_suppliers_closures(client):
    await build_network()
    await stock("MZ", "03L 115 562", 5, "9.95")
    made = await client.post("/api/v1/transfers", json={"supplier": "MZ", "part_number": "03L115562", "quantity": 1},
                             headers={"Authorization": f"Bearer {await key_of('MI')}"})
    transfer = made.json()["id"]
    await client.post(f"/api/v1/transfers/{transfer}/accept", headers={"Authorization": f"Bearer {await key_of('MZ')}"})
    monday_10 = datetime(2027, 6, 21, 10, 0, tzinfo=ROME)
    await Transfer.update({Transfer.updated_at: monday_10}).where(Transfer.id == transfer)
    await DealerClosure.raw("INSERT INTO dealer_closure (dealer, starts_on, ends_on, reason)"
                            " SELECT id, '2027-06-22', '2027-06-22', 'Patrono' FROM dealer WHERE code = 'MZ'")
    # Two working days from Monday 10:00 would end on Wednesday 10:00; closed Tuesday: Thursday 10:00.
    assert await expire_stale_agreements(datetime(2027, 6, 23, 10, 0, tzinfo=ROME)) == 0
    assert await expire_stale_agreements(datetime(2027, 6, 24, 9, 59, tzinfo=ROME)) == 0
    assert await expire_stale_agreements(datetime(2027, 6, 24, 10, 0, tzinfo=ROME)) == 1


async def test_a_dealer_admin_edits_its_own_closures_in_italian(dealer_admin):
    client = dealer_admin
    page = await client.get("/closures/dealers/D001")
    assert page.status_code == 200 and "Calendario delle chiusure" in page.text
    token = await csrf_token(client, "/closures/dealers/D001")
    year = datetime.now(ROME).year + 1
    saved = await client.post("/closures/dealers/D001", data={
        "starts_on": f"{year}-08-09", "ends_on": f"{year}-08-20", "reason": "Ferie di agosto", "_csrf_token": token})
    assert saved.status_code == 303
    page = await client.get("/closures/dealers/D001")
    assert "Ferie di agosto" in page.text and f"09/08/{year}" in page.text
    for form, field, message in (
        ({"starts_on": f"{year}-09-10", "ends_on": f"{year}-09-01"}, "ends_on", "precedente al primo"),
        ({"starts_on": f"{year}-09-01", "ends_on": f"{year}-11-01"}, "ends_on", "al massimo 45 giorni"),
        ({"starts_on": f"{year}-08-15", "ends_on": f"{year}-08-25"}, "starts_on", "si sovrappone"),
        ({"starts_on": "2020-01-01", "ends_on": "2020-01-02"}, "ends_on", "già terminata"),
        ({"starts_on": f"{year + 3}-01-01", "ends_on": f"{year + 3}-01-02"}, "starts_on", "due anni"),
        ({"starts_on": "domani", "ends_on": f"{year}-01-02"}, "starts_on", "AAAA-MM-GG"),
        ({"starts_on": f"{year}-10-01", "ends_on": f"{year}-10-02", "reason": "x" * 101}, "reason", "100 caratteri"),
    ):
        refused = await client.post("/closures/dealers/D001", data={**form, "_csrf_token": token})
        assert refused.status_code in (409, 422), (form, refused.status_code)
        assert message in refused.text and 'aria-invalid="true"' in refused.text, form
    assert await DealerClosure.count() == 1
    closure = (await DealerClosure.select(DealerClosure.id).first())["id"]
    deleted = await client.post(f"/closures/dealers/D001/{closure}/delete", data={"_csrf_token": token})
    assert deleted.status_code == 303 and await DealerClosure.count() == 0


async def test_only_the_dealers_admin_and_managers_edit_its_closures(client):
    await make_dealer("D001", "20121")
    await make_dealer("D002", "10121")
    await make_user("admin@d002.example", Role.dealer_admin, "D002")
    await make_user("clerk@d001.example", Role.dealer_staff, "D001")
    await sign_in(client, "admin@d002.example")
    assert (await client.get("/closures/dealers/D001")).status_code == 404
    await client.post("/logout", data={"_csrf_token": await csrf_token(client, "/closures/dealers/D002")})
    client.cookies.clear()
    await sign_in(client, "clerk@d001.example")
    assert (await client.get("/closures/dealers/D001")).status_code in (401, 403)


async def test_orders_and_quotes_count_the_point_dealers_and_the_sources_closures(client):
    from marketplace.inventory.catalog import import_catalog
    from marketplace.pickup.orders import get_order, place_order
    from marketplace.pickup.points import PointInput, Schedule, create_point
    from marketplace.pickup.quotes import customer_place, parse_cart, quote
    from tests.pickup.test_orders import FRIDAY_MORNING, HOURS, request_at

    await build_network()
    await import_catalog(b"part_number,description,list_price,map_price,channel\nAIRBAG-1,Airbag,500.00,,physical_only\n")
    point = await create_point(PointInput("MI", "Ritiro Milano", "basic", "20121", "", Schedule(HOURS, 60, 30)))
    await stock("MI", "03L 115 562", 5)
    await stock("BG", "RARE-1", 2)
    before = datetime(2026, 11, 20, 9, 0, tzinfo=ROME)
    await add_closure("MI", ClosureInput(date(2026, 11, 27), date(2026, 11, 27), "Ponte"), now=before)  # Friday
    await add_closure("BG", ClosureInput(date(2026, 11, 30), date(2026, 11, 30), "Inventario"), now=before)  # Monday
    # On the shelf, but the store is closed on Friday: ready Monday (the quote says the same).
    on_the_shelf = (await place_order(request_at(point), now=FRIDAY_MORNING)).id
    assert (await get_order(on_the_shelf))["promised_for"] == date(2026, 11, 30)
    quoted, _ = await quote(await parse_cart("03L115562:1"), *customer_place("20121", None, None), now=FRIDAY_MORNING)
    assert {q.dealer_code: q.ready_by for q in quoted}["MI"] == date(2026, 11, 30)
    # From Bergamo, closed on Monday: two of its working days are Tuesday and Wednesday.
    by_transfer = (await place_order(request_at(point, (("RARE-1", 1),)), now=FRIDAY_MORNING)).id
    assert (await get_order(by_transfer))["promised_for"] == date(2026, 12, 2)
