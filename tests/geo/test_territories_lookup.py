"""Who owns a place: by postal code and by point, on dates, exclusive first; the snapshot."""

from datetime import date

import numpy as np
import pytest

from marketplace.geo.tables import Territory
from marketplace.geo.territory_lookup import (
    Owner,
    TerritoryIndex,
    TerritoryRow,
    owner_of,
    owners_of_points,
    territory_index,
)
from marketplace.network.tables import Dealer
from tests.geo.test_territories import (  # noqa: F401  (fixtures)
    MILANO,
    MONZA,
    ROMA,
    added,
    app,
    dealers,
    fresh_lookup,
    manager_key,
    square,
)

JUNE = date(2026, 6, 1)


async def lookup(client, headers, **params) -> dict:
    response = await client.get("/api/v1/territories/lookup", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_by_postal_code_on_dates_exclusive_before_shared(client, manager_key):
    exclusive = await added(client, manager_key, "D001", "Centro", postal_codes=["20121"],
                            valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31))
    shared = await added(client, manager_key, "D002", "Milano", exclusive=False, postal_codes=["201*"],
                         valid_from=date(2026, 1, 1))
    assert await lookup(client, manager_key, postal_code="20121", on="2026-06-01") == {
        "dealer_code": "D001", "territory_id": exclusive["id"], "exclusive": True, "holding_queue": False,
        "on": "2026-06-01"}
    # Before any territory starts: the network's holding queue.
    assert await lookup(client, manager_key, postal_code="20121", on="2025-12-31") == {
        "dealer_code": None, "territory_id": None, "exclusive": None, "holding_queue": True, "on": "2025-12-31"}
    # After the exclusive one ends, the shared prefix takes over.
    after = await lookup(client, manager_key, postal_code="20121", on="2027-01-01")
    assert (after["dealer_code"], after["territory_id"], after["exclusive"]) == ("D002", shared["id"], False)
    assert (await lookup(client, manager_key, postal_code="20122", on="2026-06-01"))["dealer_code"] == "D002"
    assert (await lookup(client, manager_key, postal_code="20900", on="2026-06-01"))["holding_queue"] is True


async def test_an_exclusive_prefix_beats_a_shared_exact_code_and_longer_prefixes_win(client, manager_key):
    await added(client, manager_key, "D002", "Shared", exclusive=False, postal_codes=["20125"], valid_from=JUNE)
    await added(client, manager_key, "D001", "Milano", postal_codes=["201*"], valid_from=JUNE)
    assert (await owner_of("20125", on=JUNE)).dealer_code == "D001"
    await added(client, manager_key, "MZ", "Shared 2", exclusive=False, postal_codes=["2*"], valid_from=JUNE)
    await added(client, manager_key, "RM", "Shared 209", exclusive=False, postal_codes=["209*"], valid_from=JUNE)
    assert (await owner_of("20900", on=JUNE)).dealer_code == "RM"
    assert (await owner_of("24121", on=JUNE)).dealer_code == "MZ"


async def test_by_point_polygons_first_exclusive_then_the_smaller_shared(client, manager_key):
    milano = await added(client, manager_key, "D001", "Milano", provinces=["MI"], valid_from=JUNE,
                         valid_to=date(2026, 6, 30))
    await added(client, manager_key, "MZ", "Lombardia ovest", exclusive=False, provinces=["MI", "MB", "VA", "CO"],
                valid_from=JUNE)
    await added(client, manager_key, "D002", "Brianza", exclusive=False, provinces=["MB"], valid_from=JUNE)
    at_duomo = await lookup(client, manager_key, lat=MILANO[0], lon=MILANO[1], on="2026-06-15")
    assert (at_duomo["dealer_code"], at_duomo["territory_id"], at_duomo["exclusive"]) == ("D001", milano["id"], True)
    assert (await lookup(client, manager_key, lat=MONZA[0], lon=MONZA[1], on="2026-06-15"))["dealer_code"] == "D002"
    assert (await lookup(client, manager_key, lat=MILANO[0], lon=MILANO[1], on="2026-07-01"))["dealer_code"] == "MZ"
    assert (await lookup(client, manager_key, lat=MILANO[0], lon=MILANO[1], on="2026-05-31"))["holding_queue"] is True
    assert (await lookup(client, manager_key, lat=ROMA[0], lon=ROMA[1], on="2026-06-15"))["holding_queue"] is True
    # A postal code falls in a polygon by its point; a code and a point together test the point.
    assert (await lookup(client, manager_key, postal_code="20121", on="2026-06-15"))["dealer_code"] == "D001"
    both = await lookup(client, manager_key, postal_code="20121", lat=MONZA[0], lon=MONZA[1], on="2026-06-15")
    assert both["dealer_code"] == "D002"


async def test_batches_agree_with_single_lookups(client, manager_key):
    await added(client, manager_key, "D001", "Milano", provinces=["MI"], valid_from=JUNE)
    await added(client, manager_key, "D002", "Around Monza", exclusive=False, geometry=square(*MONZA, 0.2), valid_from=JUNE)
    await added(client, manager_key, "RM", "Roma", provinces=["RM"], valid_from=date(2027, 1, 1))
    rng = np.random.default_rng(3)
    lats = np.concatenate([rng.uniform(45.0, 46.0, 500), rng.uniform(41.5, 42.2, 200), [np.nan, 80.0]])
    lons = np.concatenate([rng.uniform(8.7, 9.8, 500), rng.uniform(12.0, 13.0, 200), [9.0, 9.0]])
    batch = await owners_of_points(lats, lons, JUNE)
    single = [await owner_of(point=(la, lo), on=JUNE) if np.isfinite(la) else None for la, lo in zip(lats, lons)]
    assert batch == single
    assert {o.dealer_code for o in batch if o} == {"D001", "D002"}
    assert sum(o is None for o in batch) > 200  # Roma starts next year
    assert {o.dealer_code for o in await owners_of_points(lats, lons, date(2027, 1, 1)) if o} == {"D001", "D002", "RM"}


async def test_unknown_or_missing_place_is_422(client, manager_key):
    for params, field in (({"postal_code": "99999"}, "postal_code"), ({}, "postal_code"), ({"lat": "45.4"}, "lon"),
                          ({"lat": "145", "lon": "9"}, "lat")):
        response = await client.get("/api/v1/territories/lookup", params=params, headers=manager_key)
        assert response.status_code == 422 and response.json()["field"] == field, params


async def test_inactive_dealers_territories_go_to_the_holding_queue(client, manager_key):
    await added(client, manager_key, "D001", postal_codes=["20121"], valid_from=JUNE)
    assert (await owner_of("20121", on=JUNE)).dealer_code == "D001"
    await Dealer.update({Dealer.active: False}).where(Dealer.code == "D001")
    index = await territory_index(max_age=0)
    assert index.owner_of("20121", on=JUNE) is None


async def test_the_snapshot_rebuilds_after_a_change_here_and_reloads_when_old(client, manager_key, dealers):
    first = await owner_of("20121", on=JUNE)
    assert first is None
    await added(client, manager_key, "D001", postal_codes=["20121"], valid_from=JUNE)
    assert (await owner_of("20121", on=JUNE)).dealer_code == "D001"  # rebuilt at once
    # A row written by another process: seen on the next reload, not before.
    await Territory.insert(Territory(dealer=dealers["MZ"]["id"], name="Elsewhere", kind="postal_codes",
                                     postal_codes=["20900"], valid_from=JUNE))
    assert await owner_of("20900", on=JUNE) is None
    reloaded = await territory_index(max_age=0)
    assert reloaded.owner_of("20900", on=JUNE).dealer_code == "MZ"


def test_the_index_answers_without_a_database():
    rows = [
        TerritoryRow(1, 10, "A", True, ("201*",), None, date(2026, 1, 1), None),
        TerritoryRow(2, 11, "B", False, (), '{"type":"Polygon","coordinates":[[[9,45],[10,45],[10,46],[9,46],[9,45]]]}',
                     date(2026, 1, 1), date(2026, 12, 31)),
    ]
    index = TerritoryIndex(rows)
    assert index.owner_of("20121", on=JUNE) == Owner(10, "A", 1, True)
    assert index.owner_of(" 20159 ", on=JUNE) == (10, "A", 1, True)
    assert index.owner_of("20900", on=JUNE) == Owner(11, "B", 2, False)  # Monza's point is in the square
    assert index.owner_of(point=(45.5, 9.5), on=date(2027, 1, 1)) is None
    assert index.owner_of(point=(44.99, 9.5), on=JUNE) is None
    assert index.owners_of_points([45.5, 44.0], [9.5, 9.5], JUNE) == [Owner(11, "B", 2, False), None]
    with pytest.raises(ValueError):
        index.owner_of()
    assert TerritoryIndex([]).owner_of(point=MILANO) is None and TerritoryIndex([]).owners_of_points([45], [9]) == [None]
