"""Network search over HTTP: chains, ranking, exclusions, splits, the central warehouse."""

from datetime import date, datetime, timedelta, timezone

import pytest

from marketplace.network.directory import forget as forget_directory
from marketplace.network.tables import Dealer
from tests.matching.network import build_network, key_of, stock


@pytest.fixture
async def milano(client):
    await build_network()
    return await key_of("MI")


async def find(client, key, **params):
    response = await client.get("/api/v1/network/search", params=params, headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200, response.text
    return response.json()["results"]


async def test_nearest_first_with_own_stock_and_distances(client, milano):
    await stock("RM", "03L 115 562", 5)
    await stock("MZ", "03L 115 562", 2)
    await stock("BG", "03L 115 562", 1)
    await stock("MI", "03L 115 562", 1)
    [result] = await find(client, milano, q="03l-115.562")
    assert result["status"] == "found" and result["query"] == "03l-115.562"
    assert result["own_available"] == 1
    assert [h["dealer_code"] for h in result["holders"]] == ["MZ", "BG", "RM"]
    monza = result["holders"][0]
    assert 10 < monza["distance_km"] < 25 and monza["available"] == 2 and monza["transfer_price"] == "80.00"
    assert monza["feed_age_hours"] < 1 and monza["part_number"] == "03L 115 562"
    assert 450 < result["holders"][2]["distance_km"] < 500


async def test_one_result_per_number_in_the_order_asked(client, milano):
    await stock("MZ", "03L 115 562", 2)
    results = await find(client, milano, q="RARE-1;\t03L115562\nNO SUCH PART")
    assert [(r["query"], r["status"]) for r in results] == [
        ("RARE-1", "not_found"), ("03L115562", "found"), ("NO SUCH PART", "no_match")]  # words: no description has them


async def test_any_number_of_a_chain_finds_them_all_newest_shown(client, milano):
    await stock("MZ", "1K0 615 301 AA", 1)   # the oldest number
    await stock("BG", "5Q0 615 301 F", 3)    # the newest
    for asked in ("1K0615301AA", "1k0 615 301 ab", "5Q0-615-301-F"):
        [result] = await find(client, milano, q=asked)
        assert result["part_number"] == "5Q0 615 301 F"
        assert {h["dealer_code"]: h["part_number"] for h in result["holders"]} == {
            "MZ": "1K0 615 301 AA", "BG": "5Q0 615 301 F"}
    [oldest] = await find(client, milano, q="1K0615301AA")
    assert oldest["replaced_by"] == "5Q0 615 301 F" and oldest["replaces"] == ["1K0 615 301 AB"]
    [newest] = await find(client, milano, q="5Q0615301F")
    assert newest["replaced_by"] is None and newest["replaces"] == ["1K0 615 301 AB", "1K0 615 301 AA"]


async def test_stale_inactive_unshared_and_reserved_stock_is_left_out(client, milano):
    await stock("MZ", "03L 115 562", 2, shared=False)
    await stock("BG", "03L 115 562", 2, reserved=2)
    await stock("TO", "03L 115 562", 2)
    await stock("RM", "03L 115 562", 2)
    await Dealer.update({Dealer.last_feed_at: datetime.now(timezone.utc) - timedelta(hours=49)}).where(
        Dealer.code == "TO")
    await Dealer.update({Dealer.active: False}).where(Dealer.code == "RM")
    forget_directory()
    [result] = await find(client, milano, q="03L 115 562")
    assert result["holders"] == [] and result["status"] == "not_found"


async def test_ranking_by_price_and_aged_stock_first(client, milano):
    await stock("MZ", "03L 115 562", 1, "9.00")
    await stock("BG", "03L 115 562", 1, "7.50", moved=date.today() - timedelta(days=30))
    await stock("TO", "03L 115 562", 1, "8.00", moved=date.today() - timedelta(days=700))
    by_price = await find(client, milano, q="03L 115 562", sort="price")
    assert [h["dealer_code"] for h in by_price[0]["holders"]] == ["BG", "TO", "MZ"]
    aged = await find(client, milano, q="03L 115 562", sort="aged_first")
    holders = aged[0]["holders"]
    assert holders[0]["dealer_code"] == "TO" and holders[0]["stock_age_days"] == 700
    assert holders[1]["stock_age_days"] is None


async def test_radius_limits_the_holders(client, milano):
    await stock("MZ", "03L 115 562", 1)
    await stock("RM", "03L 115 562", 1)
    [result] = await find(client, milano, q="03L 115 562", radius_km=100)
    assert [h["dealer_code"] for h in result["holders"]] == ["MZ"]


async def test_split_when_nobody_has_the_whole_quantity(client, milano):
    await stock("MZ", "03L 115 562", 2)
    await stock("BG", "03L 115 562", 3)
    await stock("TO", "03L 115 562", 4)
    await stock("RM", "03L 115 562", 5)
    [result] = await find(client, milano, q="03L 115 562", qty=7)
    assert result["split"] == [{"dealer_code": "BG", "quantity": 3}, {"dealer_code": "TO", "quantity": 4}]
    [whole] = await find(client, milano, q="03L 115 562", qty=5)
    assert whole["split"] == []


async def test_the_central_warehouse_is_shown_apart(client, milano):
    await stock("CW", "RARE-1", 10, "700.00")
    [result] = await find(client, milano, q="RARE-1")
    assert result["holders"] == [] and result["status"] == "found"
    assert result["central"]["dealer_code"] == "CW" and result["central"]["available"] == 10


@pytest.mark.parametrize("params, field", [
    ({"q": " ,; "}, "q"), ({"q": "A", "radius_km": "-5"}, "radius_km"),
    ({"q": ",".join(f"P{n}" for n in range(51))}, "q"),
])
async def test_bad_search_input_is_422_naming_the_field(client, milano, params, field):
    response = await client.get("/api/v1/network/search", params=params, headers={"Authorization": f"Bearer {milano}"})
    assert response.status_code == 422 and response.json()["field"] == field


async def test_a_quantity_out_of_the_schema_is_400_naming_it(client, milano):
    for qty in ("0", "100000", "99999999999999999999"):
        response = await client.get("/api/v1/network/search", params={"q": "A", "qty": qty},
                                    headers={"Authorization": f"Bearer {milano}"})
        assert response.status_code == 400 and response.json()["field"] == "qty"


async def test_search_needs_a_key_and_a_bad_sort_is_refused(client, milano):
    assert (await client.get("/api/v1/network/search", params={"q": "A"})).status_code == 401
    response = await client.get("/api/v1/network/search", params={"q": "A", "sort": "cheapest"},
                                headers={"Authorization": f"Bearer {milano}"})
    assert response.status_code == 400 and response.json()["extra"][0]["key"] == "sort"
