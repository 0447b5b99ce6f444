"""Catalog import (API, page, CLI) with its per-line report, and supersession chains."""

from decimal import Decimal

from marketplace.accounts.tables import Role
from marketplace.inventory.catalog import import_catalog
from marketplace.inventory.chains import supersession_chain
from marketplace.inventory.tables import Part
from tests.conftest import csrf_token, make_key

HEADER = "part_number,description,brand,category,list_price,map_price,channel,superseded_by\n"


async def _import(client, body: str | bytes):
    key = await make_key(Role.network_manager)
    data = body.encode() if isinstance(body, str) else body
    return await client.post("/api/v1/catalog/import", content=data,
                             headers={"Authorization": f"Bearer {key}", "Content-Type": "text/csv"})


async def _parts() -> dict[str, dict]:
    return {r["normalized"]: r for r in await Part.select(
        Part.normalized, Part.part_number, Part.list_price, Part.map_price, Part.channel,
        Part.superseded_by.normalized.as_alias("successor"))}


async def test_import_creates_then_updates_by_part_number(client):
    response = await _import(client, HEADER
                             + "1K0 615 301 AA,Disco freno,Volkswagen,freni,\"89,90\",80.00,online,\n"
                             + "5Q0-698-151,Pastiglie,Volkswagen,freni,45.5,,physical_only,\n")
    assert response.status_code == 200
    assert response.json() == {"lines_read": 2, "lines_applied": 2, "created": 2, "updated": 0, "rejected": []}
    parts = await _parts()
    assert parts["1K0615301AA"]["list_price"] == Decimal("89.90")
    assert parts["5Q0698151"]["map_price"] is None and parts["5Q0698151"]["channel"] == "physical_only"

    response = await _import(client, "part_number;list_price\n1k0615301aa;99,00\n")  # semicolons, other spelling
    assert response.json()["updated"] == 1 and response.json()["created"] == 0
    parts = await _parts()
    assert parts["1K0615301AA"]["list_price"] == Decimal("99.00")
    assert parts["1K0615301AA"]["part_number"] == "1k0615301aa"


async def test_bad_lines_are_reported_by_line_number_and_the_rest_applied(client):
    body = (HEADER
            + "A-1,ok,,,10.00,,online,\n"             # line 2 ok
            + ",no number,,,10.00,,online,\n"         # 3
            + "B-1,,,,ten,,online,\n"                 # 4
            + "C-1,,,,-3,,online,\n"                  # 5
            + "D-1,,,,10.123,,online,\n"              # 6
            + "E-1,,,,10.00,12.00,online,\n"          # 7 MAP above list
            + "F-1,,,,10.00,,shop,\n"                 # 8
            + "G-1,,,,10.00,,online,G1\n"             # 9 itself
            + "H-1,,,,10.00,,online,NOWHERE\n"        # 10 unknown successor
            + "I-1,,,,10.00,,online,\n"               # 11 twice
            + "i1,,,,11.00,,online,\n"                # 12 twice
            + "J-1,,,,\"0,00\",,online,\n")            # 13 free
    response = await _import(client, body)
    assert response.status_code == 200
    report = response.json()
    assert report["lines_read"] == 12 and report["created"] == 1
    reasons = {r["line"]: r["reason"] for r in report["rejected"]}
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]
    assert "part_number is empty" in reasons[3]
    assert "list_price" in reasons[4] and "negative" in reasons[5] and "two decimals" in reasons[6]
    assert "map_price is above list_price" in reasons[7]
    assert "channel" in reasons[8] and "itself" in reasons[9] and "not in the catalog" in reasons[10]
    assert "also on line 12" in reasons[11] and "also on line 11" in reasons[12]
    assert "list_price is 0" in reasons[13]
    assert list(await _parts()) == ["A1"]


async def test_nothing_applicable_is_422_and_writes_nothing(client):
    response = await _import(client, HEADER + "X,,,,free,,online,\n")
    assert response.status_code == 422
    assert response.json()["lines_applied"] == 0 and response.json()["rejected"][0]["line"] == 2
    assert await Part.count() == 0


async def test_unreadable_files_are_refused_with_the_reason(client):
    cases = {
        b"": "empty",
        b"\x00\x01\x02garbage\x00": "not a text file",
        b"codice,descrizione\nA,B\n": "lacks part_number, list_price",
        b'part_number,list_price\n"A,1.00\n': "unreadable",
    }
    for body, reason in cases.items():
        response = await _import(client, body)
        assert response.status_code == 422, body
        assert reason in response.json()["detail"], (body, response.json())
        assert response.json()["field"] == "file"
    assert await Part.count() == 0


async def test_windows_1252_and_bom_files_are_read(client):
    body = "\ufeffpart_number,description,list_price\nA1,Guarnizione testata ø 80 €,5.00\n".encode("utf-8")
    assert (await _import(client, body)).status_code == 200
    body = "part_number,description,list_price\nB1,Pompa acqua è nuova,5.00\n".encode("cp1252")
    assert (await _import(client, body)).status_code == 200
    descriptions = {r["normalized"]: r["description"] for r in await Part.select(Part.normalized, Part.description)}
    assert descriptions == {"A1": "Guarnizione testata ø 80 €", "B1": "Pompa acqua è nuova"}


async def test_supersession_chain_of_any_length_from_any_member(client):
    await _import(client, HEADER + "A,,,,1.00,,online,B\nB,,,,1.00,,online,C\nC,,,,1.00,,online,D\nD,,,,1.00,,online,\n")
    for member in ("a", "B", "c", "D"):
        assert [link.normalized for link in await supersession_chain(member)] == ["A", "B", "C", "D"]
    key = await make_key(Role.network_manager)
    response = await client.get("/api/v1/catalog/parts/b", headers={"Authorization": f"Bearer {key}"})
    assert response.json()["newest"] == "D" and [l["part_number"] for l in response.json()["chain"]] == list("ABCD")


async def test_a_cycle_is_refused_naming_the_line(client):
    await _import(client, HEADER + "A,,,,1.00,,online,B\nB,,,,1.00,,online,C\nC,,,,1.00,,online,\n")
    response = await _import(client, HEADER + "C,,,,1.00,,online,A\n")
    assert response.status_code == 422
    assert response.json()["rejected"] == [{"line": 2, "part_number": "C", "reason": "superseded_by A would close a cycle"}]
    assert (await _parts())["C"]["successor"] is None

    response = await _import(client, HEADER + "X,,,,1.00,,online,Y\nY,,,,1.00,,online,X\n")
    assert response.json()["rejected"] == [
        {"line": 2, "part_number": "X", "reason": "superseded_by Y was rejected"},
        {"line": 3, "part_number": "Y", "reason": "superseded_by X would close a cycle"},
    ]
    assert "X" not in await _parts() and "Y" not in await _parts()


async def test_a_file_without_superseded_by_column_keeps_links_and_an_empty_cell_clears_one(client):
    await _import(client, HEADER + "A,,,,1.00,,online,B\nB,,,,1.00,,online,\n")
    await _import(client, "part_number,list_price\nA,2.00\n")
    assert (await _parts())["A"]["successor"] == "B"
    await _import(client, HEADER + "A,,,,2.00,,online,\n")
    assert (await _parts())["A"]["successor"] is None


async def test_catalog_search_by_number_typed_any_way_and_by_words(clerk):
    await import_catalog((HEADER + "1K0 615 301 AA,Disco freno anteriore,,,1.00,,online,\n"
                          + "5Q0 698 151,Pastiglie freno,,,1.00,,online,\n").encode())
    by_number = await clerk.get("/catalog?q=1k0-615")
    assert "1K0 615 301 AA" in by_number.text and "5Q0 698 151" not in by_number.text
    by_words = await clerk.get("/catalog?q=freno disco")
    assert "1K0 615 301 AA" in by_words.text and "5Q0 698 151" not in by_words.text
    assert "Nessun ricambio" in (await clerk.get("/catalog?q=zzz_%")).text
    assert "1K0 615 301 AA" in (await clerk.get("/catalog?q=freni")).text  # an Italian form of the word
    for odd in ("b " * 20_000, "fre\x00no"):
        assert (await clerk.get("/catalog", params={"q": odd})).status_code == 200
    detail = await clerk.get("/catalog/parts/1K0615301AA")
    assert detail.status_code == 200 and "Disco freno anteriore" in detail.text
    assert (await clerk.get("/catalog/parts/NOPE")).status_code == 404


async def test_manager_imports_through_the_page_and_sees_the_report(manager):
    token = await csrf_token(manager, "/catalog/import")
    files = {"file": ("catalog.csv", (HEADER + "A1,,,,1.00,,online,\nB1,,,,x,,online,\n").encode(), "text/csv")}
    response = await manager.post("/catalog/import", data={"_csrf_token": token}, files=files)
    assert response.status_code == 200
    assert "2 righe lette: 1 create, 0 aggiornate, 1 scartate." in response.text
    assert "list_price" in response.text
    empty = await manager.post("/catalog/import", data={"_csrf_token": token},
                               files={"file": ("x.csv", b"", "text/csv")})
    assert empty.status_code == 422 and "il file è vuoto" in empty.text


async def test_dealer_staff_cannot_import(clerk):
    token = await csrf_token(clerk, "/")
    response = await clerk.post("/catalog/import", data={"_csrf_token": token},
                                files={"file": ("c.csv", b"part_number,list_price\nA,1\n", "text/csv")})
    assert response.status_code == 403
    assert await Part.count() == 0
