"""The transport document (DDT) of a shipped transfer: numbered per supplier per year, printable
and as a PDF, for the two dealers and managers only; the supplier sees where to ship and whom to call."""

import asyncio
from datetime import datetime

import httpx

from marketplace.accounts.tables import Role
from marketplace.calendar import ROME
from marketplace.network.tables import Dealer
from tests.conftest import make_user, sign_in
from tests.matching.network import build_network, key_of, stock


async def _shipped(client, requester="MI", supplier="MZ", quantity=1, carrier="BRT", tracking="BRT123") -> int:
    made = await client.post("/api/v1/transfers", json={"supplier": supplier, "part_number": "03L115562",
                                                        "quantity": quantity},
                             headers={"Authorization": f"Bearer {await key_of(requester)}"})
    assert made.status_code == 201, made.text
    transfer = made.json()["id"]
    key = await key_of(supplier)
    assert (await client.post(f"/api/v1/transfers/{transfer}/accept",
                              headers={"Authorization": f"Bearer {key}"})).status_code == 200
    shipped = await client.post(f"/api/v1/transfers/{transfer}/ship", json={"carrier": carrier, "tracking": tracking},
                                headers={"Authorization": f"Bearer {key}"})
    assert shipped.status_code == 200, shipped.text
    return transfer


async def _dealers():
    await build_network()
    await Dealer.update({Dealer.legal_name: "Ricambi Monza S.r.l.", Dealer.address: "Via Italia 1",
                         Dealer.phone: "039 123456", Dealer.vat_number: "12345678903"}).where(Dealer.code == "MZ")
    await Dealer.update({Dealer.legal_name: "Milano Auto S.p.A.", Dealer.address: "Corso Buenos Aires 10",
                         Dealer.phone: "+39 02 7654321"}).where(Dealer.code == "MI")
    await stock("MZ", "03L 115 562", 20, "9.95")
    await stock("TO", "03L 115 562", 20, "9.95")


async def test_ddts_are_numbered_per_supplier_per_year_without_gaps(client):
    await _dealers()
    year = datetime.now(ROME).year
    first = await _shipped(client)
    second = await _shipped(client, requester="BG")
    other = await _shipped(client, supplier="TO")
    key = await key_of("MZ")
    read = [(await client.get(f"/api/v1/transfers/{t}", headers={"Authorization": f"Bearer {key if t != other else await key_of('TO')}"})).json()
            for t in (first, second, other)]
    assert [r["ddt"] for r in read] == [f"1/{year}", f"2/{year}", f"1/{year}"]
    assert read[0]["requester_address"] == "Corso Buenos Aires 10, 20121 Milano (MI)"
    assert read[0]["requester_phone"] == "+39 02 7654321"


async def test_shipments_at_once_get_distinct_consecutive_numbers(app):
    await _dealers()
    year = datetime.now(ROME).year

    async def one(requester):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
            return await _shipped(c, requester=requester)

    transfers = await asyncio.gather(*(one(code) for code in ("MI", "BG", "TO", "RM", "MI", "BG")))
    rows = await Dealer.raw("SELECT ddt_number FROM transfer WHERE id = ANY({}) ORDER BY ddt_number", list(transfers))
    assert [r["ddt_number"] for r in rows] == [1, 2, 3, 4, 5, 6]
    assert all(r for r in await Dealer.raw("SELECT ddt_year = {} AS ok FROM transfer", year))


async def test_the_ddt_page_and_pdf_for_the_two_dealers_and_managers_only(client):
    await _dealers()
    transfer = await _shipped(client, carrier="GLS", tracking="GLS-998877")
    await make_user("banco@mz.example", Role.dealer_staff, "MZ")
    await make_user("banco@mi.example", Role.dealer_staff, "MI")
    await make_user("banco@to.example", Role.dealer_staff, "TO")
    await make_user("boss@network.example", Role.network_manager)
    year = datetime.now(ROME).year
    for email in ("banco@mz.example", "banco@mi.example", "boss@network.example"):
        client.cookies.clear()
        await sign_in(client, email)
        page = await client.get(f"/transfers/{transfer}/ddt")
        assert page.status_code == 200, (email, page.status_code)
        for text in ("Documento di trasporto", f"1/{year}", "Ricambi Monza S.r.l.", "Via Italia 1", "039 123456",
                     "Milano Auto S.p.A.", "Corso Buenos Aires 10", "20121 Milano (MI)", "03L 115 562", "GLS-998877",
                     "Mittente", "Destinatario", datetime.now(ROME).strftime("%d/%m/%Y")):
            assert text in page.text, (email, text)
        pdf = await client.get(f"/transfers/{transfer}/ddt.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert pdf.headers["content-type"] == "application/pdf"
    client.cookies.clear()
    await sign_in(client, "banco@to.example")
    assert (await client.get(f"/transfers/{transfer}/ddt")).status_code == 404
    assert (await client.get(f"/transfers/{transfer}/ddt.pdf")).status_code == 404
    client.cookies.clear()
    assert (await client.get(f"/transfers/{transfer}/ddt")).status_code in (401, 303)


async def test_no_ddt_before_shipping_and_the_supplier_sees_where_and_whom(client):
    await _dealers()
    made = await client.post("/api/v1/transfers", json={"supplier": "MZ", "part_number": "03L115562", "quantity": 2},
                             headers={"Authorization": f"Bearer {await key_of('MI')}"})
    transfer = made.json()["id"]
    await make_user("banco@mz.example", Role.dealer_staff, "MZ")
    await sign_in(client, "banco@mz.example")
    assert (await client.get(f"/transfers/{transfer}/ddt")).status_code == 404
    page = await client.get(f"/transfers/{transfer}")
    assert "Corso Buenos Aires 10, 20121 Milano (MI)" in page.text and 'href="tel:+39027654321"' in page.text
