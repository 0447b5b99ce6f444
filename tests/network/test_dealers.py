"""The dealer directory: manager pages, validation, geocoding, the API and the CLI listing."""

from marketplace.accounts.tables import Role
from marketplace.network.tables import Dealer
from tests.conftest import csrf_token, make_dealer, make_key

FORM = {"code": "d100", "name": "Ricambi Rossi", "address": "Via Dante 1", "postal_code": "20121", "tier": "urban"}


async def _post(manager, path, **fields):
    token = await csrf_token(manager, "/network/dealers/new")
    return await manager.post(path, data={"_csrf_token": token, **fields})


async def test_manager_creates_a_dealer_placed_from_its_postal_code(manager):
    response = await _post(manager, "/network/dealers/new", **FORM)
    assert response.status_code == 303
    dealer = await Dealer.select().where(Dealer.code == "D100").first()
    assert dealer["city"] == "Milano" and dealer["province"] == "MI"
    assert abs(dealer["lat"] - 45.46) < 0.05 and abs(dealer["lon"] - 9.19) < 0.05
    listing = await manager.get("/network/dealers?q=rossi")
    assert "Ricambi Rossi" in listing.text and "D100" in listing.text


async def test_given_coordinates_are_kept(manager):
    await _post(manager, "/network/dealers/new", **FORM, lat="45,5", lon="9.2")
    dealer = await Dealer.select(Dealer.lat, Dealer.lon).first()
    assert dealer == {"lat": 45.5, "lon": 9.2}


async def test_bad_input_shows_the_form_again_with_the_field_marked_and_writes_nothing(manager):
    await make_dealer("D200", "00184")
    cases = [
        ({**FORM, "code": "D200"}, 409, "f-code", "D200 is taken"),
        ({**FORM, "postal_code": "99999"}, 422, "f-postal_code", "not an Italian postal code"),
        ({**FORM, "postal_code": "abc"}, 422, "f-postal_code", "not an Italian postal code"),
        ({**FORM, "code": "x"}, 422, "f-code", "2-16 letters"),
        ({**FORM, "name": "  "}, 422, "f-name", "a name of 1-200"),
        ({**FORM, "lat": "45"}, 422, "f-lon", "both coordinates"),
        ({**FORM, "lat": "north", "lon": "9"}, 422, "f-lat", "not a number"),
        ({**FORM, "lat": "95", "lon": "9"}, 422, "f-lat", "between -90 and 90"),
        ({**FORM, "tier": "gold"}, 422, "f-tier", "fascia sconosciuta"),
    ]
    for form, status, field_id, message in cases:
        response = await _post(manager, "/network/dealers/new", **form)
        assert response.status_code == status, form
        assert message in response.text, form
        assert f'id="{field_id}"' in response.text
        assert 'aria-invalid="true"' in response.text or "invalid" in response.text
    assert await Dealer.count() == 1


async def test_edit_keeps_the_code_and_deactivation_hides_the_dealer_from_the_api(manager, client):
    await make_dealer("D300", "00184")
    response = await _post(manager, "/network/dealers/D300", **{**FORM, "code": "HACK", "name": "Roma Ricambi",
                                                               "postal_code": "00184"})
    assert response.status_code == 303
    assert (await Dealer.select(Dealer.code, Dealer.name).first()) == {"code": "D300", "name": "Roma Ricambi"}

    key = await make_key(Role.network_manager)
    api = await client.get("/api/v1/dealers", headers={"Authorization": f"Bearer {key}"})
    assert [d["code"] for d in api.json()] == ["D300"]
    response = await _post(manager, "/network/dealers/D300/active", active="0")
    assert response.status_code == 303
    api = await client.get("/api/v1/dealers", headers={"Authorization": f"Bearer {key}"})
    assert api.json() == []
    page = await manager.get("/network/dealers/D300")
    assert "Riattiva" in page.text


async def test_unknown_dealer_page_is_404(manager):
    assert (await manager.get("/network/dealers/NOPE")).status_code == 404


async def test_dealer_list_paginates(manager):
    from marketplace.pagination import PER_PAGE

    for n in range(PER_PAGE + 3):
        await Dealer.insert(Dealer(code=f"P{n:03}", name=f"Dealer {n}", postal_code="20121", city="Milano",
                                   lat=45.4, lon=9.1))
    first = await manager.get("/network/dealers")
    assert "P000" in first.text and f"P{PER_PAGE:03}" not in first.text and 'rel="next"' in first.text
    second = await manager.get("/network/dealers?page=2")
    assert f"P{PER_PAGE:03}" in second.text and "P000" not in second.text


async def test_empty_search_says_so(manager):
    response = await manager.get("/network/dealers?q=zzzz")
    assert "Nessun concessionario corrisponde" in response.text
