"""The counter's search: words of the description, and "forse cercavi" for numbers not in the catalog."""

import time

import pytest

from marketplace.accounts.tables import Role
from marketplace.inventory.catalog import import_catalog
from marketplace.inventory.suggestions import NumberIndex, nearest_in
from tests.conftest import make_user, sign_in
from tests.matching.network import build_network, key_of, stock


@pytest.fixture
async def milano(client):
    await build_network()
    return await key_of("MI")


async def find(client, key, **params):
    response = await client.get("/api/v1/network/search", params=params, headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200, response.text
    return response.json()["results"]


async def test_words_find_parts_by_description_with_their_holders(client, milano):
    await stock("MZ", "03L 115 562", 4, "9.90")
    [result] = await find(client, milano, q="filtro olio")
    assert result["match"] == "words" and result["query"] == "filtro olio"
    assert result["status"] == "found" and result["part_number"] == "03L 115 562"
    assert [h["dealer_code"] for h in result["holders"]] == ["MZ"]
    # Italian stems and beginnings: "freni" finds "freno", "disc" finds "disco"; a chain is one result, its newest number.
    [brakes] = await find(client, milano, q="disc freni")
    assert brakes["part_number"] == "5Q0 615 301 F" and brakes["status"] == "not_found"


async def test_held_parts_come_first_among_description_matches(client, milano):
    await import_catalog(b"part_number,description,list_price\nGB-9,Filtro olio cambio,20.00\n")
    await stock("BG", "GB-9", 1)
    results = await find(client, milano, q="filtro olio")
    assert [r["part_number"] for r in results] == ["GB-9", "03L 115 562"]
    assert [r["status"] for r in results] == ["found", "not_found"]


async def test_numbers_not_in_the_catalog_get_the_nearest_numbers(client, milano):
    [typo] = await find(client, milano, q="03L 115 563")
    assert typo["status"] == "unknown_part" and typo["suggestions"] == ["03L 115 562"]
    [short] = await find(client, milano, q="1K0615301A")
    assert short["suggestions"][:2] == ["1K0 615 301 AA", "1K0 615 301 AB"]
    [words] = await find(client, milano, q="pastiglie freno golf")
    assert words["status"] == "no_match" and words["match"] == "words"
    [far] = await find(client, milano, q="Z9Z9Z9Z9")
    assert far["status"] == "unknown_part" and far["suggestions"] == []


async def test_a_catalog_import_refreshes_the_suggestions(client, milano):
    assert (await find(client, milano, q="NEW-12345"))[0]["suggestions"] == []
    await import_catalog(b"part_number,description,list_price\nNEW-12346,Tappo,2.00\n")
    assert (await find(client, milano, q="NEW-12345"))[0]["suggestions"] == ["NEW-12346"]


async def test_the_page_offers_words_and_suggestions_in_italian(client):
    await build_network()
    await stock("MZ", "03L 115 562", 4, "9.90")
    await make_user("banco@mi.example", Role.dealer_staff, "MI")
    await sign_in(client, "banco@mi.example")
    page = await client.get("/search", params={"q": "filtro olio\n03L 115 563\npastiglie freno golf"})
    assert page.status_code == 200
    text = page.text
    assert "corrisponde a “filtro olio”" in text and "Richiedi 1" in text
    assert "Nessun numero del catalogo corrisponde a “03L 115 563”" in text
    assert 'Forse cercavi' in text and '<a href="/search?q=03L%20115%20562' in text
    assert "Nessun ricambio del catalogo ha “pastiglie freno golf” nella descrizione." in text
    assert "non è in catalogo" not in text


def test_suggestions_on_200000_numbers_take_under_20_ms_and_match_a_full_comparison():
    import random
    import statistics
    import string
    rng = random.Random(15)
    alphabet = string.ascii_uppercase + string.digits
    numbers = sorted({"".join(rng.choice(alphabet) for _ in range(rng.randint(8, 13))) for _ in range(200_000)})
    index, everything = NumberIndex.of(numbers, numbers), NumberIndex(numbers, numbers)
    times = []
    for _ in range(20):
        target = rng.choice(numbers)
        at = rng.randrange(len(target))
        typed = target[:at] + rng.choice("0123456789") + target[at + 1:]
        started = time.perf_counter()
        found = nearest_in(index, typed)
        times.append((time.perf_counter() - started) * 1000)
        assert found == nearest_in(everything, typed)  # the gram index loses nothing
        assert target in found or target == typed
    assert statistics.median(times) < 20, times
