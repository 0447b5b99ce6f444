"""A pasted list at the counter: request all from the nearest, what was asked today, a refusal with the next holder."""

import re

import pytest

from marketplace.accounts.tables import Role
from marketplace.inventory.tables import StockItem
from marketplace.matching.tables import Transfer
from tests.conftest import csrf_token, make_user, sign_in
from tests.matching.network import build_network, stock

LIST = "03L 115 562\n5Q0 615 301 F\nRARE-1"


@pytest.fixture
async def clerk(client):
    await build_network()
    await stock("MZ", "03L 115 562", 5, "9.90")
    await stock("RM", "03L 115 562", 5, "9.00")
    await stock("BG", "5Q0 615 301 F", 3, "70.00")
    await make_user("banco@mi.example", Role.dealer_staff, "MI")
    await sign_in(client, "banco@mi.example")
    return client


def _fields(html: str, action: str, marker: str = "") -> dict[str, str]:
    """The fields of the first form posting to ``action`` (after ``marker``), ticked boxes included."""
    block = html.split(marker)[1] if marker else html
    block = block.split(f'action="{action}"')[1].split("</form>")[0]
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', block))
    for name, value, rest in re.findall(r'<input type="checkbox" name="([^"]+)" value="([^"]*)"([^>]*)>', block):
        if "checked" in rest:
            fields[name] = value
    return {k: v.replace("&amp;", "&") for k, v in fields.items()}


async def test_request_all_from_the_nearest_with_the_total_then_the_list_stays(clerk):
    page = await clerk.get("/search", params={"q": LIST, "qty": "2"})
    assert page.status_code == 200
    text = page.text
    assert "Richiedi tutto dal più vicino" in text
    assert "Nessuno nella rete ha: RARE-1." in text
    # 2 x 9.90 from Monza (nearest) + 2 x 70.00 from Bergamo
    assert "159,80" in text.split('id="plan"')[1].split("</form>")[0]
    form = _fields(text, "/transfers/request-all")
    assert form["line_0"] == "MZ|03L 115 562|2" and form["line_1"] == "BG|5Q0 615 301 F|2"
    token = await csrf_token(clerk, "/search")
    done = await clerk.post("/transfers/request-all", data={**form, "_csrf_token": token})
    assert done.status_code == 303 and done.headers["location"].startswith("/search?q=")
    rows = await Transfer.select(Transfer.id, Transfer.quantity, Transfer.supplier.code.as_alias("s")).order_by(Transfer.id)
    assert [(r["s"], r["quantity"]) for r in rows] == [("MZ", 2), ("BG", 2)]
    again = await clerk.post("/transfers/request-all", data={**form, "_csrf_token": token})  # a double click
    assert again.status_code == 303 and await Transfer.count() == 2
    back = await clerk.get(done.headers["location"])
    assert "2 trasferimenti richiesti:" in back.text and "già richiesto oggi" in back.text
    assert "RARE-1" in back.text  # the list is still on screen
    # Asked today: unticked in the plan, so the next click does not ask twice.
    assert "line_0" not in _fields(back.text, "/transfers/request-all")


async def test_one_request_from_a_list_comes_back_to_the_list(clerk):
    page = await clerk.get("/search", params={"q": LIST})
    form = _fields(page.text.split('<section class="result"')[1], "/transfers/request")
    assert form["supplier"] == "MZ" and form["list"] == "1"
    token = await csrf_token(clerk, "/search")
    done = await clerk.post("/transfers/request", data={**form, "_csrf_token": token})
    assert done.status_code == 303 and "requested=" in done.headers["location"]
    back = await clerk.get(done.headers["location"])
    assert "Trasferimento 1 richiesto:" in back.text and "5Q0 615 301 F" in back.text


async def test_a_refused_request_answers_in_italian_and_offers_the_next_holder_in_place(clerk):
    page = await clerk.get("/search", params={"q": "03L 115 562", "qty": "2"})
    form = _fields(page.text.split('<section class="result"')[1], "/transfers/request")
    assert form["supplier"] == "MZ"
    # Meanwhile Monza sells it.
    await StockItem.update({StockItem.on_hand: 1}).where(StockItem.transfer_price == "9.90")
    token = await csrf_token(clerk, "/search")
    refused = await clerk.post("/transfers/request", data={**form, "_csrf_token": token})
    assert refused.status_code == 409
    text = refused.text
    assert "Richiesta rifiutata: MZ ora ne ha 1 disponibili, ne avevi chiesti 2." in text
    assert "the supplier has" not in text
    nxt = _fields(text.split("Richiesta rifiutata")[1], "/transfers/request")
    assert nxt["supplier"] == "RM" and nxt["quantity"] == "2"
    assert "Prossimo fornitore: RM" in text
    done = await clerk.post("/transfers/request", data={**nxt, "_csrf_token": token})
    assert done.status_code == 303
    assert [r["quantity"] for r in await Transfer.select(Transfer.quantity)] == [2]


async def test_a_list_request_with_one_line_refused_requests_the_others_and_offers_the_next_holder(clerk):
    page = await clerk.get("/search", params={"q": LIST, "qty": "2"})
    form = _fields(page.text, "/transfers/request-all")
    await StockItem.update({StockItem.on_hand: 0}).where(StockItem.transfer_price == "9.90")  # Monza sold out meanwhile
    token = await csrf_token(clerk, "/search")
    answer = await clerk.post("/transfers/request-all", data={**form, "_csrf_token": token})
    assert answer.status_code == 409
    text = answer.text
    assert "Trasferimento 1 richiesto:" in text and "5Q0 615 301 F" in text  # Bergamo's line went through
    assert "Richiesta rifiutata: MZ ora ne ha 0 disponibili, ne avevi chiesti 2." in text
    nxt = _fields(text.split("Richiesta rifiutata")[1], "/transfers/request")
    assert nxt["supplier"] == "RM" and nxt["list"] == "1"
    done = await clerk.post("/transfers/request", data={**nxt, "_csrf_token": token})
    assert done.status_code == 303 and "requested=" in done.headers["location"]
    rows = await Transfer.select(Transfer.supplier.code.as_alias("s")).order_by(Transfer.id)
    assert [r["s"] for r in rows] == ["BG", "RM"]
