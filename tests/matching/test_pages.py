"""The clerk's pages over HTTP: search, one-click request, inbox, answers."""

import re

import pytest

from marketplace.accounts.tables import Role
from marketplace.matching.tables import SearchHistory, Transfer
from tests.conftest import csrf_token, make_user, sign_in
from tests.matching.network import build_network, stock


@pytest.fixture
async def milano_clerk(client):
    await build_network()
    await stock("MZ", "03L 115 562", 5, "9.90")
    await stock("RM", "03L 115 562", 5, "9.00")
    await make_user("banco@mi.example", Role.dealer_staff, "MI")
    await sign_in(client, "banco@mi.example")
    return client


def _form_of(html: str, supplier: str) -> dict[str, str]:
    """The hidden fields of the Request form of one holder."""
    block = html.split(f'name="supplier" value="{supplier}"')[1].split("</form>")[0]
    fields = dict(re.findall(r'name="(part_number|quantity|request_token)" value="([^"]*)"', block))
    fields["supplier"] = supplier
    return fields


async def test_search_page_lists_holders_nearest_first_and_remembers_the_search(milano_clerk):
    page = await milano_clerk.get("/search", params={"q": "03l 115 562\nNOPE"})
    assert page.status_code == 200
    assert page.text.index("MZ ·") < page.text.index("RM ·")
    assert "Nessun numero del catalogo corrisponde a “NOPE”" in page.text
    assert "Richiedi 1" in page.text
    fragment = await milano_clerk.get("/search/results", params={"q": "03L115562", "qty": "7"})
    assert "<html" not in fragment.text and "Nessuno ne ha 7: dividi" in fragment.text
    remembered = await SearchHistory.select(SearchHistory.query).order_by(SearchHistory.id)
    assert [r["query"] for r in remembered] == ["03l 115 562; NOPE", "03L115562"]
    again = await milano_clerk.get("/search")
    assert "Ricerche recenti" in again.text and "03L115562" in again.text


async def test_bad_search_input_shows_the_reason(milano_clerk):
    page = await milano_clerk.get("/search", params={"q": "03L115562", "qty": "zero"})
    assert page.status_code == 422 and "un numero intero" in page.text  # Italian first


async def test_one_click_request_and_a_double_click_makes_one_transfer(milano_clerk):
    page = await milano_clerk.get("/search", params={"q": "03L 115 562", "qty": "2"})
    form = _form_of(page.text, "MZ")
    assert form["quantity"] == "2"
    token = await csrf_token(milano_clerk, "/search")
    first = await milano_clerk.post("/transfers/request", data={**form, "_csrf_token": token})
    second = await milano_clerk.post("/transfers/request", data={**form, "_csrf_token": token})
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert await Transfer.count() == 1
    detail = await milano_clerk.get(first.headers["location"])
    assert "richiesto" in detail.text and "Annulla la richiesta" in detail.text


async def test_a_refused_request_explains_why(milano_clerk):
    token = await csrf_token(milano_clerk, "/search")
    response = await milano_clerk.post("/transfers/request", data={
        "supplier": "MZ", "part_number": "03L 115 562", "quantity": "9", "_csrf_token": token})
    assert response.status_code == 409 and "MZ ora ne ha 5 disponibili, ne avevi chiesti 9" in response.text
    assert await Transfer.count() == 0


async def test_supplier_answers_from_the_inbox(milano_clerk, app):
    token = await csrf_token(milano_clerk, "/search")
    await milano_clerk.post("/transfers/request", data={
        "supplier": "MZ", "part_number": "03L 115 562", "quantity": "1", "_csrf_token": token})
    transfer_id = (await Transfer.select(Transfer.id).first())["id"]
    await make_user("banco@mz.example", Role.dealer_staff, "MZ")
    import httpx

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as monza:
        await sign_in(monza, "banco@mz.example")
        home = await monza.get("/")
        assert '<span class="badge"' in home.text and ">1</span>" in home.text
        inbox = await monza.get("/transfers")
        assert f"/transfers/{transfer_id}" in inbox.text and "mancano" in inbox.text
        token = await csrf_token(monza, f"/transfers/{transfer_id}")
        no_carrier = await monza.post(f"/transfers/{transfer_id}/accept", data={"_csrf_token": token})
        assert no_carrier.status_code == 303
        refused = await monza.post(f"/transfers/{transfer_id}/ship", data={"_csrf_token": token, "carrier": " "})
        assert refused.status_code == 422 and "name the carrier" in refused.text
        shipped = await monza.post(f"/transfers/{transfer_id}/ship", data={"_csrf_token": token, "carrier": "BRT"})
        assert shipped.status_code == 303, re.findall(r'role="alert">([^<]*)', shipped.text)
        assert "spedito" in (await monza.get(f"/transfers/{transfer_id}")).text
        wrong = await monza.post(f"/transfers/{transfer_id}/receive", data={"_csrf_token": token})
        assert wrong.status_code == 403
    assert (await Transfer.select(Transfer.status).first())["status"] == "shipped"


async def test_managers_and_anonymous_users_have_no_search_page(manager, client):
    assert (await manager.get("/search")).status_code == 403
