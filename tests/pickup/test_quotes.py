"""Pickup quotes: ready today where the store holds the cart, later where parts must travel."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from marketplace.accounts.tokens import new_token
from marketplace.inventory.catalog import import_catalog
from marketplace.network.directory import forget as forget_directory
from marketplace.pickup.points import PointInput, Schedule, create_point, update_schedule
from marketplace.pickup.quotes import customer_place, parse_cart, quote
from marketplace.pickup.tables import CustomerOrder
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


async def test_a_line_comes_whole_from_one_holder_even_beyond_the_radius(points):
    await stock("TO", "03L 115 562", 9)
    # Milano 2, Bergamo 5, Torino 9 (far): no point's dealer holds 8, Torino does, by transfer.
    by_dealer, _ = await quoted_by_dealer("03L115562:8")
    assert {q.ready_by for q in by_dealer.values()} == {date(2026, 12, 1)}
    # 10 is more than any one dealer holds, though 16 are in the network: an order line has one source.
    assert await quote(await parse_cart("03L115562:10"), *customer_place("20121", None, None),
                       now=FRIDAY_MORNING) == ([], None)


def test_the_sieve_keeps_exactly_the_points_the_geodesic_keeps():
    import numpy as np

    from marketplace.geo.distance import geodesic_km_many
    from marketplace.pickup.quotes import PointSnapshot, within

    rng = np.random.default_rng(7)
    lat, lon = rng.uniform(36.5, 47.0, 2000), rng.uniform(6.7, 18.5, 2000)
    lat[:20], lon[:20] = 45.4642, 9.19  # ties: nearest first, then by id
    snapshot = PointSnapshot([], lat, lon)
    for customer in ((45.4642, 9.19), (40.85, 14.27), (38.1, 13.36), (46.5, 11.35)):
        for radius in (5.0, 50.0, 120.0):
            exact = geodesic_km_many(*customer, lat, lon)
            expected = [i for i in sorted(range(2000), key=lambda i: exact[i]) if exact[i] <= radius]
            near, km = within(snapshot, *customer, radius)
            assert near.tolist() == expected and np.allclose(km, exact[expected])


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


async def book(point_id: int, day: date, count: int = 1, status: str = "placed") -> None:
    """``count`` orders at the point promised for ``day``."""
    for _ in range(count):
        await CustomerOrder.insert(CustomerOrder(
            pickup_point=point_id, customer_name="Anna", customer_email="anna@example.com",
            customer_postal_code="20121", pickup_code="ACDEFGHJ", token=new_token(24), total=Decimal("10.00"),
            status=status, promised_for=day))


async def quoted_by_dealer(items: str = "03L115562:1") -> tuple[dict, int | None]:
    quoted, recommended = await quote(await parse_cart(items), *customer_place("20121", None, None), now=FRIDAY_MORNING)
    return {q.dealer_code: q for q in quoted}, recommended


async def test_a_point_at_its_daily_capacity_is_offered_from_its_next_open_day_with_room(points):
    await update_schedule(points["MI"], Schedule(HOURS, 60, 2), dealer_id=None)
    await book(points["MI"], date(2026, 11, 27), 1)
    await book(points["MI"], date(2026, 11, 27), 3, status="cancelled")  # no longer take a slot
    await book(points["MI"], date(2026, 11, 27), 2, status="collected")
    await book(points["MZ"], date(2026, 11, 27), 5)  # another point's orders
    by_dealer, _ = await quoted_by_dealer()
    assert by_dealer["MI"].ready_today and by_dealer["MI"].ready_by == date(2026, 11, 27)  # one slot left

    await book(points["MI"], date(2026, 11, 27), 1, status="ready_for_pickup")  # Friday is full now
    by_dealer, recommended = await quoted_by_dealer()
    mi = by_dealer["MI"]
    assert not mi.ready_today and mi.ready_by == date(2026, 11, 30)  # Monday: closed at the weekend
    assert mi.ready_at == datetime(2026, 11, 30, 8, 30, tzinfo=ROME)  # prepared already: from the opening
    assert recommended == points["MI"]  # still earlier than Monza's Tuesday

    await book(points["MI"], date(2026, 11, 30), 2)
    await book(points["MI"], date(2026, 12, 1), 2)
    by_dealer, recommended = await quoted_by_dealer()
    assert by_dealer["MI"].ready_by == date(2026, 12, 2) and by_dealer["MZ"].ready_by == date(2026, 12, 1)
    assert recommended == points["MZ"]  # the earliest wins once Milano is pushed past it


async def test_the_transfer_day_counts_for_a_point_waiting_for_parts(points):
    await update_schedule(points["MZ"], Schedule(HOURS, 60, 1), dealer_id=None)
    await book(points["MZ"], date(2026, 11, 27))  # today's slot is taken: it does not matter to Monza
    by_dealer, _ = await quoted_by_dealer()
    assert by_dealer["MZ"].ready_by == date(2026, 12, 1)
    await book(points["MZ"], date(2026, 12, 1))
    by_dealer, _ = await quoted_by_dealer()
    assert by_dealer["MZ"].ready_by == date(2026, 12, 2)


async def test_a_point_full_for_two_weeks_is_not_offered(points):
    await update_schedule(points["MI"], Schedule(HOURS, 60, 1), dealer_id=None)
    for n in range(15):
        await book(points["MI"], date(2026, 11, 27) + timedelta(days=n))
    by_dealer, recommended = await quoted_by_dealer()
    assert list(by_dealer) == ["MZ"] and recommended == points["MZ"]


async def test_a_changed_capacity_applies_to_the_next_quote(points):
    await book(points["MI"], date(2026, 11, 27), 2)
    by_dealer, _ = await quoted_by_dealer()
    assert by_dealer["MI"].ready_today
    await update_schedule(points["MI"], Schedule(HOURS, 60, 2), dealer_id=None)  # the points are remembered
    by_dealer, _ = await quoted_by_dealer()
    assert by_dealer["MI"].ready_by == date(2026, 11, 30)


async def test_the_transfer_days_are_the_networks_setting(points):
    from marketplace.network.tables import NetworkSettings

    await stock("TO", "03L 115 562", 9)
    await NetworkSettings.update({NetworkSettings.transfer_days: 1}, force=True)
    forget_directory()  # as saving the settings page does
    by_dealer, _ = await quoted_by_dealer("03L115562:8")
    assert {q.ready_by for q in by_dealer.values()} == {date(2026, 11, 30)}  # Friday + 1 working day: Monday


async def test_a_dealer_switched_off_leaves_the_quotes_at_once(points):
    from marketplace.network.dealers import set_dealer_active

    assert "MZ" in (await quoted_by_dealer())[0]
    await set_dealer_active("MZ", False)
    assert "MZ" not in (await quoted_by_dealer())[0]
