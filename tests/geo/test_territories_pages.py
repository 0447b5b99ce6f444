"""The manager's territory pages: the SVG map, the list, the form, the nearest-dealer proposal."""

import re
from datetime import date

import numpy as np
import shapely

from marketplace.geo.gazetteer import get_gazetteer
from marketplace.geo.tables import Territory
from marketplace.geo.territory_overlaps import TOLERANCE_KM2
from marketplace.geo.territory_proposal import Method, propose_by_nearest_dealer
from marketplace.geo.territory_shapes import area_km2, postal_code_index
from marketplace.network.tables import Dealer
from tests.conftest import csrf_token, make_dealer
from tests.geo.test_territories import app, dealers, fresh_lookup, square  # noqa: F401  (fixtures)

PAGE = "/network/territories"
TERRITORY = re.compile(r'<path class="territory[ "]')


async def submit(client, path: str, **fields):
    token = await csrf_token(client, PAGE)
    return await client.post(path, data={**fields, "_csrf_token": token})


async def test_the_map_page_draws_territories_and_dealers_and_loads_nothing(manager, dealers):
    created = await submit(manager, PAGE, dealer_code="D001", name="Centro", exclusive="on",
                           postal_codes="20121, 20122\n20123")
    assert created.status_code == 303
    await submit(manager, PAGE, dealer_code="MZ", name="Brianza", provinces="MB")
    html = (await manager.get(PAGE)).text
    svg = html[html.index("<svg"):html.index("</svg>")]
    assert len(TERRITORY.findall(svg)) == 2 and svg.count('class="dealer"') == 4
    assert "<title>D001 · Centro · " in svg
    assert "<title>MZ · Brianza · " in svg
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert 'class="conflict"' not in html
    assert len(html.encode()) < 300_000
    # The table: a row per territory, codes counted, the province's area.
    assert "Centro" in html and "Brianza" in html and "405" in html  # MB: ~405 km²


async def test_the_form_shows_422_and_409_and_deleting_works(manager, dealers):
    unknown = await submit(manager, PAGE, dealer_code="D001", name="Bad", exclusive="on", postal_codes="20121 99999")
    assert unknown.status_code == 422 and "99999" in unknown.text and 'aria-invalid="true"' in unknown.text
    assert "20121 99999" in unknown.text  # the form keeps what was typed
    await submit(manager, PAGE, dealer_code="D001", name="Centro", exclusive="on", postal_codes="201*")
    conflict = await submit(manager, PAGE, dealer_code="D002", name="Duomo", exclusive="on", postal_codes="20121")
    assert conflict.status_code == 409 and "Centro" in conflict.text and "D001" in conflict.text
    dates = await submit(manager, PAGE, dealer_code="D002", name="Later", postal_codes="20121",
                         valid_from="2026-05-01", valid_to="2026-04-01")
    assert dates.status_code == 422 and "before the start" in dates.text
    shared = await submit(manager, PAGE, dealer_code="D002", name="Duomo", postal_codes="20121")  # not exclusive
    assert shared.status_code == 303
    [row] = await Territory.select(Territory.id).where(Territory.name == "Duomo")
    deleted = await submit(manager, f"{PAGE}/{row['id']}/delete")
    assert deleted.status_code == 303 and await Territory.count() == 1


async def test_legacy_overlaps_are_hatched_in_red(manager, dealers):
    # Written around the validation, as data from before the rule could be.
    for code, half in (("D001", 0.1), ("D002", 0.05)):
        await Territory.insert(Territory(
            dealer=dealers[code]["id"], name=f"Legacy {code}", kind="polygon",
            geometry=shapely.to_geojson(shapely.geometry.shape(square(45.4643, 9.1895, half))),
            valid_from=date(2020, 1, 1)))
    html = (await manager.get(PAGE)).text
    assert html.count('class="conflict"') == 3  # the hatched area, and both rows of the table
    assert "url(#conflict-hatch)" in html and "Legacy D001" in html


async def test_dealer_staff_may_not_see_the_pages(clerk):
    assert (await clerk.get(PAGE)).status_code == 403
    assert (await clerk.get(f"{PAGE}/proposal")).status_code == 403


async def _network() -> None:
    for code, cap in (("MI", "20121"), ("MI2", "20122"), ("MZ", "20900"), ("BG", "24121"), ("TO", "10121"),
                      ("RM", "00184"), ("PA", "90133"), ("CA", "09124"), ("CW", "37135"), ("OFF", "50122")):
        await make_dealer(code, cap)
    await Dealer.update({Dealer.is_central_warehouse: True}).where(Dealer.code == "CW")
    await Dealer.update({Dealer.active: False}).where(Dealer.code == "OFF")


async def test_voronoi_proposal_gives_every_active_dealer_a_cell_covering_italy():
    await _network()
    proposals = await propose_by_nearest_dealer(Method.voronoi)
    # MI and MI2 share Milano's point: they split it in sectors; the warehouse and the inactive are out.
    assert [p.site.dealer_code for p in proposals] == ["BG", "CA", "MI", "MI2", "MZ", "PA", "RM", "TO"]
    cells = [p.geometry for p in proposals]
    assert all(c.geom_type == "MultiPolygon" and c.area > 0 and c.is_valid for c in cells)
    for p in proposals:
        assert p.geometry.distance(shapely.Point(p.site.lon, p.site.lat)) < 0.01  # each holds its dealer
    for i, a in enumerate(cells):
        for b in cells[i + 1:]:
            assert area_km2(a.intersection(b)) < TOLERANCE_KM2
    outline = get_gazetteer().outline
    union = shapely.union_all(cells)
    assert area_km2(outline.symmetric_difference(union)) < 1.0
    assert abs(sum(p.area_km2 for p in proposals) - area_km2(outline)) < 1.0


async def test_postal_code_proposal_gives_every_code_to_one_dealer():
    await _network()
    proposals = await propose_by_nearest_dealer("postal_codes")
    codes = [c for p in proposals for c in p.postal_codes]
    assert sorted(codes) == list(postal_code_index().codes)
    by_dealer = {p.site.dealer_code: p.postal_codes for p in proposals}
    assert "20121" in by_dealer["MI"] and "20122" in by_dealer["MI2"] and "90133" in by_dealer["PA"]
    assert "24121" in by_dealer["BG"] and "00184" in by_dealer["RM"]


async def test_the_proposal_page_shows_and_saves_it_all_or_nothing(manager):
    await _network()
    html = (await manager.get(f"{PAGE}/proposal")).text
    assert "<svg" in html and len(TERRITORY.findall(html)) == 8
    saved = await submit(manager, f"{PAGE}/proposal", method="voronoi", valid_from="2026-01-01")
    assert saved.status_code == 303 and saved.headers["location"] == f"{PAGE}?saved=8"
    assert await Territory.count().where(Territory.exclusive.eq(True)) == 8
    again = await submit(manager, f"{PAGE}/proposal", method="postal_codes", valid_from="2026-01-01")
    assert again.status_code == 409 and "overlaps exclusive territory" in again.text
    assert await Territory.count() == 8
    codes = (await manager.get(f"{PAGE}/proposal", params={"method": "postal_codes"})).text
    assert len(TERRITORY.findall(codes)) == 8 and 'class="territory dots"' in codes


def test_map_size_stays_small_for_a_large_network():
    from marketplace.geo.svg_map import MapArea, MapPoint, dealer_colour, render_map
    from marketplace.geo.territory_proposal import voronoi_cells

    comuni = get_gazetteer().comuni()[::4][:2000]
    cells = voronoi_cells(np.array([c.lat for c in comuni]), np.array([c.lon for c in comuni]), get_gazetteer().outline)
    svg = render_map([MapArea(f"D{i:04d}", dealer_colour(f"D{i:04d}"), True, shape=c) for i, c in enumerate(cells)],
                     [MapPoint(f"D{i:04d}", c.lat, c.lon) for i, c in enumerate(comuni)])
    assert len(svg.encode()) < 1_200_000
    assert dealer_colour("D0001") == dealer_colour("D0001") != dealer_colour("D0002")
