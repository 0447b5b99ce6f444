"""The clerk's flow over HTTP: a VIN in the search box -> groups -> diagram -> callout -> holders -> Richiedi."""

from __future__ import annotations

import pytest

from marketplace.accounts.tables import Role
from marketplace.matching.tables import Transfer
from marketplace.vehicles import plates
from tests.conftest import csrf_token, make_user, sign_in
from tests.matching.test_pages import _form_of
from tests.vehicles.catalog import GOLF, GOLF_DIESEL, UNKNOWN_VW, build_vehicle_catalog
from tests.vehicles.test_plates import FakePlates


@pytest.fixture
async def milano_clerk(client):
    built = await build_vehicle_catalog()
    await make_user("banco@mi.example", Role.dealer_staff, "MI")
    await sign_in(client, "banco@mi.example")
    client.diagram_id = built["diagram_id"]
    return client


async def test_a_vin_in_the_search_box_opens_the_vehicle_and_its_groups(milano_clerk):
    for path in ("/search", "/search/results"):
        answer = await milano_clerk.get(path, params={"q": " wvwzzzcdzmw000001 "})
        assert answer.status_code == 303 and answer.headers["location"] == f"/vehicles/{GOLF}"
    page = await milano_clerk.get(f"/vehicles/{GOLF}")
    assert page.status_code == 200
    assert "Golf VIII" in page.text and "Freni" in page.text and "Freno a disco anteriore" in page.text
    assert f'href="/vehicles/{GOLF}/diagrams/{milano_clerk.diagram_id}"' in page.text
    # Part numbers still search parts.
    assert (await milano_clerk.get("/search", params={"q": "03L 115 562"})).status_code == 200


async def test_the_diagram_shows_only_fitting_rows_with_callout_links(milano_clerk):
    page = await milano_clerk.get(f"/vehicles/{GOLF}/diagrams/{milano_clerk.diagram_id}")
    assert page.status_code == 200
    assert "<script" not in page.text.split("<main")[1]
    assert page.text.count('class="callout"') == 3  # each drawn callout is a link
    assert f'href="/vehicles/{GOLF}/diagrams/{milano_clerk.diagram_id}?ref=2#holders"' in page.text
    assert "5Q0 698 151 A" in page.text and "5Q0 698 151 B" not in page.text  # 15" brakes only
    assert "04E 115 561 H" in page.text and "03L 115 562" not in page.text  # petrol engine
    assert "2 righe di questo esploso non sono adatte a questo veicolo" in page.text


async def test_a_callout_lists_the_holders_nearest_first_and_requests_through_the_search_form(milano_clerk):
    diesel = f"/vehicles/{GOLF_DIESEL}/diagrams/{milano_clerk.diagram_id}"
    page = await milano_clerk.get(diesel, params={"ref": "3"})
    assert page.status_code == 200
    holders = page.text.split('id="holders"')[1]
    assert holders.index("MZ ·") < holders.index("RM ·")  # Monza before Roma
    assert "Richiedi 1" in holders and 'action="/transfers/request"' in holders
    # The old disc number leads to its newest one, held in Bergamo.
    disc = (await milano_clerk.get(diesel, params={"ref": "1"})).text.split('id="holders"')[1]
    assert "5Q0 615 301 F" in disc and "BG ·" in disc and "sostituito da 5Q0 615 301 F" in disc
    assert "Richiedi 2" in disc  # the callout's quantity: a pair of discs
    form = _form_of(page.text, "MZ")
    token = await csrf_token(milano_clerk, diesel)
    answer = await milano_clerk.post("/transfers/request", data={**form, "_csrf_token": token})
    assert answer.status_code == 303
    transfer = await Transfer.select(Transfer.quantity, Transfer.status).first()
    assert transfer == {"quantity": 1, "status": "requested"}


async def test_an_unknown_vin_names_its_manufacturer_and_offers_the_models(milano_clerk):
    page = await milano_clerk.get(f"/vehicles/{UNKNOWN_VW}")
    assert page.status_code == 404
    assert "Costruttore: Volkswagen." in page.text and "Golf VIII" in page.text and 'name="model"' in page.text
    model_id = page.text.split('<option value="')[1].split('"')[0]
    groups = await milano_clerk.get(f"/vehicles/{UNKNOWN_VW}", params={"model": model_id})
    assert groups.status_code == 200 and f"?model={model_id}" in groups.text
    diagram = await milano_clerk.get(f"/vehicles/{UNKNOWN_VW}/diagrams/{milano_clerk.diagram_id}",
                                     params={"model": model_id})
    assert "5Q0 698 151 A" in diagram.text and "5Q0 698 151 B" in diagram.text  # nothing known: every row
    invalid = await milano_clerk.get("/vehicles/WVWZZZCDZMWOOOOO1")
    assert invalid.status_code == 422 and "non contiene mai le lettere I, O o Q" in invalid.text


async def test_the_plate_box_says_when_it_is_not_configured_and_follows_a_found_vin(milano_clerk, monkeypatch):
    monkeypatch.delenv("MARKETPLACE_PLATE_PROVIDER", raising=False)
    page = await milano_clerk.get("/vehicles/")
    assert "La ricerca per targa non è configurata" in page.text
    answer = await milano_clerk.get("/search", params={"q": "GA 123 BC"})
    assert answer.headers["location"] == "/vehicles/?plate=GA123BC"
    plates.use_provider(FakePlates({"GA123BC": GOLF}))
    try:
        found = await milano_clerk.get("/vehicles/", params={"plate": "GA123BC"})
        assert found.status_code == 303 and found.headers["location"] == f"/vehicles/{GOLF}"
        plates.use_provider(FakePlates({}, delay=5))
        plates_timeout = plates.TIMEOUT_SECONDS
        plates.TIMEOUT_SECONDS = 0.1
        try:
            slow = await milano_clerk.get("/vehicles/", params={"plate": "ZZ999ZZ"})
        finally:
            plates.TIMEOUT_SECONDS = plates_timeout
        assert "non ha risposto in tempo" in slow.text and 'id="vin-box"' in slow.text
    finally:
        plates.use_provider(None)


async def test_only_dealers_open_vehicle_pages(client):
    assert (await client.get(f"/vehicles/{GOLF}")).status_code in (302, 303, 401)


async def test_the_pages_read_in_english_too(milano_clerk):
    milano_clerk.cookies.set("lang", "en")
    page = await milano_clerk.get(f"/vehicles/{GOLF}/diagrams/{milano_clerk.diagram_id}", params={"ref": "2"})
    assert "Callout 2: who has it" in page.text and "do not fit this vehicle" in page.text
    assert "Riferimento" not in page.text
    unknown = await milano_clerk.get(f"/vehicles/{UNKNOWN_VW}")
    assert "Manufacturer: Volkswagen." in unknown.text and "Choose the model" in unknown.text
