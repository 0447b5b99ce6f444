"""Every network search records its part lines (page, API, pasted lists alike); a request made from a
search links to it; a phone order is logged in one click from the search page."""

from __future__ import annotations

from marketplace.accounts.tables import Role
from marketplace.matching.tables import SearchLine, Transfer
from marketplace.pulse.tables import PhoneOrder
from tests.conftest import csrf_token, make_user, sign_in
from tests.matching.network import build_network, key_of, stock
from tests.matching.test_pages import _form_of


async def test_the_search_page_and_the_api_record_each_line_found_or_not(client):
    await build_network()
    await stock("MZ", "03L 115 562", 5, "9.90")
    await stock("MI", "RARE-1", 1, "500.00")
    await make_user("banco@mi.example", Role.dealer_staff, "MI")
    await sign_in(client, "banco@mi.example")
    page = await client.get("/search", params={"q": "03l 115 562\nNOPE\nRARE-1\n1K0 615 301 AA"})
    assert page.status_code == 200
    rows = await SearchLine.select(SearchLine.number, SearchLine.found, SearchLine.own_available,
                                   SearchLine.quantity, SearchLine.part.part_number).order_by(SearchLine.id)
    assert [(r["number"], r["found"], r["own_available"]) for r in rows] == [
        ("03L115562", True, 0),  # Monza has it
        ("NOPE", False, 0),  # not in the catalog: a miss
        ("RARE1", False, 1),  # nobody else has it, but Milano holds one: not demand
        ("5Q0615301F", False, 0),  # the chain's newest number is recorded, found nowhere
    ]
    key = await key_of("MI")
    api = await client.get("/api/v1/network/search", params={"q": "03L115562", "qty": "7"},
                           headers={"Authorization": f"Bearer {key}"})
    assert api.status_code == 200
    last = await SearchLine.select().order_by(SearchLine.id, ascending=False).first()
    assert (last["number"], last["quantity"], last["found"], last["user"]) == ("03L115562", 7, True, None)


async def test_a_request_from_a_search_links_to_it_and_a_phone_order_is_one_click(client):
    await build_network()
    await stock("MZ", "03L 115 562", 5, "9.90")
    await make_user("banco@mi.example", Role.dealer_staff, "MI")
    await sign_in(client, "banco@mi.example")
    page = await client.get("/search", params={"q": "03L 115 562"})
    assert "Ordinato al telefono" in page.text
    token = await csrf_token(client, "/search")
    made = await client.post("/transfers/request", data={**_form_of(page.text, "MZ"), "_csrf_token": token})
    assert made.status_code == 303
    transfer = await Transfer.select(Transfer.search_line, Transfer.source_moved_on).first()
    searched = await SearchLine.select(SearchLine.id).first()
    assert transfer["search_line"] == searched["id"] and transfer["source_moved_on"] is not None

    # A part asked without a search first is not linked (nothing to measure its portal time by).
    await stock("BG", "RARE-1", 2, "700.00")
    await client.post("/transfers/request", data={"supplier": "BG", "part_number": "RARE-1", "quantity": "1",
                                                  "_csrf_token": token})
    assert [r["search_line"] for r in await Transfer.select(Transfer.search_line).order_by(Transfer.id)] == [
        searched["id"], None]

    logged = await client.post("/pulse/phone-orders", data={"number": "03L 115 562", "next": "/search?q=03L",
                                                            "_csrf_token": token})
    assert logged.status_code == 303 and logged.headers["location"] == "/search?q=03L&phoned=1"
    assert "Registrato: una riga ordinata al telefono." in (await client.get(logged.headers["location"])).text
    assert [(r["number"]) for r in await PhoneOrder.select(PhoneOrder.number)] == ["03L115562"]
    refused = await client.post("/pulse/phone-orders", data={"number": "1"})  # no CSRF token
    assert refused.status_code == 403 and await PhoneOrder.count() == 1
