"""Pickup quotes: ready today where the store holds the cart, later where parts must travel."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from marketplace.inventory.catalog import import_catalog
from marketplace.pickup.points import PointInput, Schedule, create_point
from marketplace.pickup.quotes import customer_place, parse_cart, quote
from tests.matching.network import build_network, stock

ROME = ZoneInfo("Europe/Rome")
HOURS = {day: [["08:30", "19:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
FRIDAY_MORNING = datetime(2026, 11, 27, 9, 0, tzinfo=ROME)


@pytest.fixture
async def points():
    await build_network()
    await import_catalog(b"part_number,description,list_price,channel\nAIRBAG-1,Airbag,500.00,physical_only\n")
    schedule = Schedule(HOURS, 60, 30)
    ids = {}
    for code, cap in (("MI", "20121"), ("MZ", "20900"), ("RM", "00184")):
        ids[code] = await create_point(PointInput(code, f"Ritiro {code}", "basic", cap, "", schedule))
    await stock("MI", "03L 115 562", 2)
    await stock("BG", "03L 115 562", 5)
    await stock("BG", "RARE-1", 1)
    return ids


async def test_ready_today_where_the_store_holds_the_cart_else_after_the_transfer_days(points):
    lines = await parse_cart("03l-115-562:2")
    quoted, recommended = await quote(lines, *customer_place("20121", None, None), now=FRIDAY_MORNING)
    by_dealer = {q.dealer_code: q for q in quoted}
    assert list(by_dealer) == ["MI", "MZ"]  # Roma is beyond 50 km
    assert by_dealer["MI"].ready_today and by_dealer["MI"].ready_by == date(2026, 11, 27)
    assert not by_dealer["MZ"].ready_today and by_dealer["MZ"].ready_by == date(2026, 12, 1)  # 2 working days
    assert recommended == points["MI"]


async def test_a_cart_nobody_can_fill_gets_no_point(points):
    lines = await parse_cart("03L115562:9")
    assert await quote(lines, *customer_place("20121", None, None), now=FRIDAY_MORNING) == ([], None)


async def test_the_territory_owner_is_recommended_when_as_early_as_any(points):
    from marketplace.geo.territories import TerritoryInput, create_territory
    from marketplace.geo.territory_lookup import forget

    lines = await parse_cart("RARE-1:1")  # nobody near holds it: every point waits for the transfer
    quoted, recommended = await quote(lines, *customer_place("20121", None, None), now=FRIDAY_MORNING)
    assert {q.ready_by for q in quoted} == {date(2026, 12, 1)}
    assert recommended == points["MI"]  # no owner: the nearest of the earliest

    await create_territory(TerritoryInput("MZ", "Milano e Brianza", postal_codes=["201*", "209*"]))
    forget()
    _, recommended = await quote(lines, *customer_place("20121", None, None), now=FRIDAY_MORNING)
    assert recommended == points["MZ"]  # the owner's store, as early as any
    _, recommended = await quote(await parse_cart("03L115562:1"), *customer_place("20121", None, None),
                                 now=FRIDAY_MORNING)
    assert recommended == points["MI"]  # the owner's store would be later: the fastest wins


@pytest.mark.parametrize("items, reason", [
    ("", "PARTNO:QTY"), ("03L115562", "not PARTNO:QTY"), ("03L115562:0", "quantity from 1"),
    ("NOPE:1", "no part NOPE"), ("AIRBAG-1:1", "counter only"),
])
async def test_bad_carts_are_refused(points, items, reason):
    from marketplace.errors import Invalid

    with pytest.raises(Invalid, match=reason):
        await parse_cart(items)


async def test_quote_over_http_is_public(points, client):
    response = await client.get("/api/v1/pickup/quote", params={"postal_code": "20121", "items": "03L115562:1"})
    assert response.status_code == 200
    body = response.json()
    assert [p["dealer_code"] for p in body["points"]] == ["MI", "MZ"] and body["recommended"] == points["MI"]
    assert set(body["points"][0]) == {"pickup_point_id", "dealer_code", "name", "city", "distance_km", "ready_today",
                                      "ready_by"}
    bad = await client.get("/api/v1/pickup/quote", params={"postal_code": "99999", "items": "03L115562:1"})
    assert bad.status_code == 422 and bad.json()["field"] == "postal_code"
    counter = await client.get("/api/v1/pickup/quote", params={"postal_code": "20121", "items": "AIRBAG-1:1"})
    assert counter.status_code == 422 and "counter only" in counter.json()["detail"]
