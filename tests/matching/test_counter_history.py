"""The order history at the counter: what was received, filtered, and "riordina" from the nearest holder now."""

import re

import pytest

from marketplace.accounts.tables import Role
from marketplace.inventory.tables import StockItem
from marketplace.matching.tables import Transfer
from tests.conftest import csrf_token, make_user, sign_in
from tests.matching.network import build_network, stock


@pytest.fixture
async def clerk(client):
    await build_network()
    await stock("RM", "03L 115 562", 5, "9.00")
    await stock("BG", "5Q0 615 301 F", 3, "70.00")
    await make_user("banco@mi.example", Role.dealer_staff, "MI")
    await sign_in(client, "banco@mi.example")
    token = await csrf_token(client, "/search")
    for supplier, number in (("RM", "03L 115 562"), ("BG", "5Q0 615 301 F")):
        await client.post("/transfers/request", data={"supplier": supplier, "part_number": number, "quantity": "2",
                                                      "_csrf_token": token})
    await Transfer.update({Transfer.status: "received"}, force=True)  # both arrived
    return client


def _reorder_form(html: str, number: str) -> dict[str, str]:
    block = html.split(f'name="part_number" value="{number}"')[1].split("</form>")[0]
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', block))
    return {**fields, "part_number": number}


async def test_history_lists_received_transfers_and_filters(clerk):
    page = await clerk.get("/history")
    assert page.status_code == 200
    assert "Storico ordini" in page.text and "Trasferimento ricevuto" in page.text
    assert "03L 115 562" in page.text and "5Q0 615 301 F" in page.text
    only = await clerk.get("/history", params={"q": "filtro"})
    assert "03L 115 562" in only.text and "5Q0 615 301 F" not in only.text
    by_number = await clerk.get("/history", params={"q": "5q0-615"})
    assert "5Q0 615 301 F" in by_number.text and "03L 115 562" not in by_number.text
    orders = await clerk.get("/history", params={"kind": "order"})
    assert "Nulla ricevuto o venduto" in orders.text
    bad = await clerk.get("/history", params={"kind": "nope"})
    assert bad.status_code == 422


async def test_reorder_asks_the_nearest_holder_now_in_one_click(clerk):
    await stock("MZ", "03L 115 562", 4, "9.50")  # Monza has it now: nearer than Roma
    page = await clerk.get("/history")
    form = _reorder_form(page.text, "03L 115 562")
    assert form["quantity"] == "2"
    token = await csrf_token(clerk, "/history")
    done = await clerk.post("/history/reorder", data={**form, "_csrf_token": token})
    assert done.status_code == 303 and done.headers["location"].startswith("/history?")
    newest = await Transfer.select(Transfer.supplier.code.as_alias("s"), Transfer.quantity, Transfer.status).order_by(
        Transfer.id, ascending=False).first()
    assert newest == {"s": "MZ", "quantity": 2, "status": "requested"}
    back = await clerk.get(done.headers["location"])
    assert "Trasferimento 3 richiesto:" in back.text


async def test_a_refused_reorder_offers_the_next_holder(clerk, monkeypatch):
    await stock("MZ", "03L 115 562", 4, "9.50")
    page = await clerk.get("/history")
    form = _reorder_form(page.text, "03L 115 562")
    token = await csrf_token(clerk, "/history")
    from marketplace.matching import counter

    real = counter.request_lines

    async def sold_meanwhile(principal, lines, token):  # Monza sells between the search and the request
        await StockItem.update({StockItem.on_hand: 0}).where(StockItem.transfer_price == "9.50")
        return await real(principal, lines, token)

    monkeypatch.setattr(counter, "request_lines", sold_meanwhile)
    refused = await clerk.post("/history/reorder", data={**form, "_csrf_token": token})
    assert refused.status_code == 409
    assert "Richiesta rifiutata: MZ ora ne ha 0 disponibili" in refused.text
    assert "Prossimo fornitore: RM" in refused.text


async def test_the_thumbnail_slot_shows_a_diagram_when_the_vehicles_domain_has_one(clerk, monkeypatch):
    from marketplace.inventory.tables import Part
    from marketplace.matching import counter_pages

    oil = (await Part.select(Part.id).where(Part.part_number == "03L 115 562").first())["id"]

    async def showing(part_ids):  # what vehicles.diagrams.diagrams_showing answers
        return {oil: (7, "Golf VII · Filtri e olio", "/diagrams/7/thumbnail.svg")} if oil in part_ids else {}

    monkeypatch.setattr(counter_pages, "diagrams_showing", showing)
    page = await clerk.get("/history")
    assert '<img src="/diagrams/7/thumbnail.svg" alt="Golf VII · Filtri e olio"' in page.text
    assert page.text.count("<img src=") == 1


async def test_a_reorder_quantity_that_is_not_a_number_is_refused_naming_it(clerk):
    page = await clerk.get("/history")
    form = _reorder_form(page.text, "03L 115 562")
    token = await csrf_token(clerk, "/history")
    before = await Transfer.count()
    for bad in ("²", "-1", "0", "abc", "100000"):
        answer = await clerk.post("/history/reorder", data={**form, "quantity": bad, "_csrf_token": token})
        assert answer.status_code == 422, bad
        assert "quantity" in answer.text or "quantità" in answer.text.lower()
    assert await Transfer.count() == before


async def test_a_reorder_for_more_than_the_holder_has_says_it_was_reduced(clerk):
    page = await clerk.get("/history")
    form = _reorder_form(page.text, "03L 115 562")
    token = await csrf_token(clerk, "/history")
    done = await clerk.post("/history/reorder", data={**form, "quantity": "50", "_csrf_token": token})
    assert done.status_code == 303 and "asked=50" in done.headers["location"]
    newest = await Transfer.select(Transfer.quantity).order_by(Transfer.id, ascending=False).first()
    assert newest["quantity"] == 3  # Roma had 5, 2 already asked
    back = await clerk.get(done.headers["location"])
    assert "Quantità ridotta da 50 a 3" in back.text
