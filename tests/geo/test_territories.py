"""Territories over the API: saving, the no-overlap rule for exclusive ones, 422s, access."""

from datetime import date

import pytest

from marketplace.accounts.tables import Role
from marketplace.app import create_app
from marketplace.geo.api import TerritoryApi
from marketplace.geo.pages import TerritoryPages
from marketplace.geo.territory_lookup import forget as forget_territories
from marketplace.network.tables import Dealer
from tests.conftest import make_dealer, make_key

MILANO = (45.4643, 9.1895)
MONZA = (45.5801, 9.2725)
ROMA = (41.8919, 12.5113)


@pytest.fixture(scope="module")
def app():
    """The app with the territory controllers, whether or not app.py registers them yet."""
    app = create_app(own_pool=False)
    paths = {route.path for route in app.routes}
    for controller in (TerritoryApi, TerritoryPages):
        if controller.path not in paths:
            app.register(controller)
    return app


@pytest.fixture(autouse=True)
def fresh_lookup():
    # The tables are emptied behind the snapshot's back before every test.
    forget_territories()
    yield
    forget_territories()


@pytest.fixture
async def dealers():
    """Milano, Monza and Roma dealers; D001 and D002 both in Milano's centre."""
    return {code: await make_dealer(code, cap) for code, cap in
            (("D001", "20121"), ("D002", "20122"), ("MZ", "20900"), ("RM", "00184"))}


@pytest.fixture
async def manager_key(dealers):
    return {"Authorization": f"Bearer {await make_key(Role.network_manager)}"}


def square(lat: float, lon: float, half_deg: float = 0.05) -> dict:
    """A GeoJSON square around a point."""
    w, e, s, n = lon - half_deg, lon + half_deg, lat - half_deg, lat + half_deg
    return {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}


def rectangle(w: float, s: float, e: float, n: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}


async def add(client, headers, dealer_code: str, name: str = "Area", exclusive: bool = True, **shape):
    body = {"dealer_code": dealer_code, "name": name, "exclusive": exclusive}
    for key, value in shape.items():
        body[key] = value.isoformat() if isinstance(value, date) else value
    return await client.post("/api/v1/territories", json=body, headers=headers)


async def added(client, headers, dealer_code: str, name: str = "Area", exclusive: bool = True, **shape) -> dict:
    response = await add(client, headers, dealer_code, name, exclusive, **shape)
    assert response.status_code == 201, response.text
    return response.json()


# --- saving and listing --------------------------------------------------------------------

async def test_postal_code_territory_is_saved_and_listed_without_geometry_unless_asked(client, manager_key):
    created = await added(client, manager_key, "d001", "Milano centro", postal_codes=["20121", " 20122", "201*", "20121"])
    assert created["dealer_code"] == "D001" and created["name"] == "Milano centro" and created["exclusive"] is True
    assert created["kind"] == "postal_codes" and created["postal_codes"] == ["201*", "20121", "20122"]
    assert created["valid_from"] and created["valid_to"] is None and created["geometry"] is None
    listed = (await client.get("/api/v1/territories", headers=manager_key)).json()
    assert [t["id"] for t in listed] == [created["id"]] and "geometry" not in listed[0]
    with_geometry = (await client.get("/api/v1/territories", params={"geometry": "true"}, headers=manager_key)).json()
    assert with_geometry[0]["geometry"] is None


async def test_provinces_become_one_polygon(client, manager_key):
    created = await added(client, manager_key, "D001", "Milano e Brianza", provinces=["mi", "MB"])
    assert created["kind"] == "polygon" and created["postal_codes"] == []
    assert created["geometry"]["type"] in ("Polygon", "MultiPolygon")
    listed = (await client.get("/api/v1/territories", params={"geometry": "true"}, headers=manager_key)).json()
    assert listed[0]["geometry"] == created["geometry"]
    one = (await client.get(f"/api/v1/territories/{created['id']}", headers=manager_key)).json()
    assert one["name"] == "Milano e Brianza"


# --- the no-overlap rule -------------------------------------------------------------------

async def test_exact_codes_in_common_are_refused_naming_the_territory(client, manager_key):
    first = await added(client, manager_key, "D001", "Centro", postal_codes=["20121", "20122"])
    refused = await add(client, manager_key, "D002", "Porta Nuova", postal_codes=["20122", "20123"])
    assert refused.status_code == 409
    body = refused.json()
    assert f"#{first['id']}" in body["detail"] and '"Centro"' in body["detail"] and "D001" in body["detail"]
    assert "20122" in body["detail"] and "20123" not in body["detail"]
    assert body["conflicting_territory"]["id"] == first["id"] and body["conflicting_territory"]["name"] == "Centro"
    assert body["dealer_code"] == "D001"
    assert body["overlap"] == {"postal_codes": ["20122"], "postal_code_count": 1}
    assert len((await client.get("/api/v1/territories", headers=manager_key)).json()) == 1


async def test_prefixes_are_expanded_both_ways(client, manager_key):
    await added(client, manager_key, "D001", "Milano 201", postal_codes=["201*"])
    exact = await add(client, manager_key, "D002", "One code", postal_codes=["20159"])
    assert exact.status_code == 409 and exact.json()["overlap"]["postal_codes"] == ["20159"]
    wider = await add(client, manager_key, "D002", "All of 20", postal_codes=["20*"])
    assert wider.status_code == 409
    overlap = wider.json()["overlap"]
    assert overlap["postal_code_count"] == 38 and len(overlap["postal_codes"]) == 20  # listed up to 20
    assert "and 18 more" in wider.json()["detail"]
    await added(client, manager_key, "D002", "Monza", postal_codes=["209*"])  # no code in common


async def test_a_prefix_against_an_existing_exact_code(client, manager_key):
    await added(client, manager_key, "D001", "One code", postal_codes=["20121"])
    refused = await add(client, manager_key, "D002", "Milano", postal_codes=["2012*"])
    assert refused.status_code == 409 and refused.json()["overlap"]["postal_codes"] == ["20121"]


async def test_shared_territories_may_overlap_anything(client, manager_key):
    await added(client, manager_key, "D001", "Milano", postal_codes=["201*"])
    await added(client, manager_key, "D002", "Shared centre", exclusive=False, postal_codes=["20121"])
    await added(client, manager_key, "MZ", "Shared Lombardy", exclusive=False, provinces=["MI", "MB"])
    await added(client, manager_key, "RM", "Shared too", exclusive=False, postal_codes=["20121", "20900"])


async def test_territories_valid_on_different_days_do_not_conflict(client, manager_key):
    await added(client, manager_key, "D001", "First half", postal_codes=["20121"],
                valid_from=date(2026, 1, 1), valid_to=date(2026, 6, 30))
    await added(client, manager_key, "D002", "Second half", postal_codes=["20121"],
                valid_from=date(2026, 7, 1), valid_to=date(2026, 12, 31))
    # Ends are inclusive: one common day is an overlap.
    same_day = await add(client, manager_key, "MZ", "Overlapping day", postal_codes=["20121"],
                         valid_from=date(2026, 6, 30), valid_to=date(2026, 6, 30))
    assert same_day.status_code == 409 and same_day.json()["conflicting_territory"]["valid_to"] == "2026-06-30"
    # An open-ended territory lasts forever.
    await added(client, manager_key, "MZ", "From 2027", postal_codes=["20121"], valid_from=date(2027, 1, 1))
    later = await add(client, manager_key, "RM", "From 2040", postal_codes=["20121"], valid_from=date(2040, 1, 1))
    assert later.status_code == 409 and later.json()["dealer_code"] == "MZ"


async def test_overlapping_polygons_are_refused_with_the_common_area(client, manager_key):
    first = await added(client, manager_key, "D001", "Milano", provinces=["MI"])
    refused = await add(client, manager_key, "D002", "Around the Duomo", geometry=square(*MILANO, 0.05))
    assert refused.status_code == 409
    body = refused.json()
    assert body["conflicting_territory"]["id"] == first["id"] and body["dealer_code"] == "D001"
    assert 60 < body["overlap"]["area_km2"] < 100  # ~0.1° x 0.1° at 45°N: 11.1 km x 7.9 km
    assert "km²" in body["detail"]
    # Neighbouring provinces share a border, not an area.
    await added(client, manager_key, "MZ", "Brianza", provinces=["MB"])


async def test_a_sliver_under_the_tolerance_is_not_an_overlap(client, manager_key):
    await added(client, manager_key, "D001", "West", geometry=rectangle(9.0, 45.3, 9.2, 45.5))
    # 0.0002° of longitude (~16 m) along 22 km: ~0.35 km², under the 0.5 km² tolerance.
    await added(client, manager_key, "D002", "East", geometry=rectangle(9.1998, 45.3, 9.4, 45.5))
    wider = await add(client, manager_key, "MZ", "East, wider", geometry=rectangle(9.19, 45.3, 9.4, 45.5))
    assert wider.status_code == 409


async def test_postal_codes_against_a_polygon_by_their_points(client, manager_key):
    await added(client, manager_key, "D001", "Duomo", postal_codes=["20121", "20900"])
    refused = await add(client, manager_key, "D002", "Milano", provinces=["MI"])
    assert refused.status_code == 409 and refused.json()["overlap"]["postal_codes"] == ["20121"]
    await added(client, manager_key, "RM", "Roma", provinces=["RM"])
    codes = await add(client, manager_key, "MZ", "Roma centro", postal_codes=["00184"])
    assert codes.status_code == 409 and codes.json()["overlap"]["postal_codes"] == ["00184"]


# --- what is refused as invalid ------------------------------------------------------------

@pytest.mark.parametrize(("shape", "field", "words"), [
    ({"postal_codes": ["20121", "99999"]}, "postal_codes", "99999"),
    ({"postal_codes": ["999*"]}, "postal_codes", "999*"),
    ({"postal_codes": ["2012"]}, "postal_codes", "2012"),
    ({"postal_codes": []}, "postal_codes", "at least one"),
    ({"provinces": ["MI", "XX"]}, "provinces", "XX"),
    ({"geometry": {"type": "Polygon", "coordinates": [[[9.0, 45.0], [9.2, 45.2], [9.2, 45.0], [9.0, 45.2], [9.0, 45.0]]]}},
     "geometry", "Self-intersection"),
    ({"geometry": square(48.85, 2.35)}, "geometry", "does not reach Italy"),  # Paris
    ({"geometry": square(9.19, 45.46)}, "geometry", "does not reach Italy"),  # lat and lon swapped
    ({"geometry": {"type": "Point", "coordinates": [9.19, 45.46]}}, "geometry", "Polygon or MultiPolygon"),
    ({"geometry": {"type": "Polygon", "coordinates": [[9.19]]}}, "geometry", "not a readable"),
    ({"postal_codes": ["20121"], "provinces": ["MI"]}, "provinces", "exactly one"),
    ({}, "postal_codes", "exactly one"),
    ({"postal_codes": ["20121"], "valid_from": date(2026, 5, 1), "valid_to": date(2026, 4, 30)}, "valid_to", "before"),
])
async def test_invalid_territories_are_422_naming_the_fault(client, manager_key, shape, field, words):
    response = await add(client, manager_key, "D001", **shape)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field and words in response.json()["detail"]


async def test_unknown_or_inactive_dealer_is_422(client, manager_key):
    unknown = await add(client, manager_key, "NOPE", postal_codes=["20121"])
    assert unknown.status_code == 422 and unknown.json()["field"] == "dealer_code" and "NOPE" in unknown.json()["detail"]
    await Dealer.update({Dealer.active: False}).where(Dealer.code == "RM")
    inactive = await add(client, manager_key, "RM", postal_codes=["00184"])
    assert inactive.status_code == 422 and "inactive" in inactive.json()["detail"]


async def test_a_database_check_backs_the_shape_rule():
    import asyncpg

    from marketplace.geo.tables import Territory

    dealer = await make_dealer("D001", "20121")
    with pytest.raises(asyncpg.CheckViolationError):
        await Territory.insert(Territory(dealer=dealer["id"], name="Nothing", kind="postal_codes", postal_codes=[]))


# --- access ----------------------------------------------------------------------------------

async def test_a_dealer_key_reads_and_looks_up_but_may_not_change(client, manager_key, dealers):
    created = await added(client, manager_key, "D001", postal_codes=["20121"])
    dealer_key = {"Authorization": f"Bearer {await make_key(Role.dealer_admin, dealers['D002']['id'])}"}
    assert (await client.get("/api/v1/territories", headers=dealer_key)).status_code == 200
    lookup = await client.get("/api/v1/territories/lookup", params={"postal_code": "20121"}, headers=dealer_key)
    assert lookup.status_code == 200 and lookup.json()["dealer_code"] == "D001"
    assert (await add(client, dealer_key, "D002", postal_codes=["20122"])).status_code == 403
    assert (await client.delete(f"/api/v1/territories/{created['id']}", headers=dealer_key)).status_code == 403
    assert (await client.get("/api/v1/territories")).status_code == 401


async def test_delete_frees_the_area(client, manager_key):
    created = await added(client, manager_key, "D001", postal_codes=["20121"])
    assert (await client.delete(f"/api/v1/territories/{created['id']}", headers=manager_key)).status_code == 204
    lookup = await client.get("/api/v1/territories/lookup", params={"postal_code": "20121"}, headers=manager_key)
    assert lookup.json()["holding_queue"] is True
    await added(client, manager_key, "D002", postal_codes=["20121"])
    assert (await client.delete(f"/api/v1/territories/{created['id']}", headers=manager_key)).status_code == 404


async def test_the_api_is_in_the_openapi_document_and_the_pages_are_not(client):
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    assert {"/api/v1/territories", "/api/v1/territories/lookup", "/api/v1/territories/{territory_id}"} <= set(paths)
    assert not any(p.startswith("/network/territories") for p in paths)
