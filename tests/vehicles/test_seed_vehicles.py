"""The demo's catalog by vehicle: believable diagrams on held demo parts, and demo vehicles with valid VINs."""

from __future__ import annotations

from marketplace.db import raw_connection
from marketplace.seed import seed_network
from marketplace.vehicles.catalog import fits, get_diagram, groups_of
from marketplace.vehicles.master import find_vehicle, vehicle_list
from marketplace.vehicles.svg import callout_refs
from marketplace.vehicles.vin import check_vin


async def test_the_demo_has_diagrams_of_held_parts_and_vehicles_with_valid_vins():
    await seed_network(dealers=40, parts=3000, seed=1, rows_per_dealer=150, history=False)
    vehicles = await vehicle_list()
    assert len(vehicles) == 12
    assert {v["model"] for v in vehicles} == {"Golf VIII", "Golf VII", "T-Roc", "Octavia IV"}
    for row in vehicles:
        facts = check_vin(row["vin"])
        assert facts.manufacturer in ("Volkswagen", "Škoda") and facts.model_year_hint
    golf = await find_vehicle(next(v["vin"] for v in vehicles if v["model"] == "Golf VIII"))
    groups = await groups_of(golf.model_id)
    assert {g.name for g in groups} >= {"Freni", "Olio e filtri", "Sospensioni", "Illuminazione"}
    diagrams = [d for g in groups for d in g.all_diagrams()]
    assert len(diagrams) == 7
    async with raw_connection() as connection:
        for ref in diagrams:
            diagram = await get_diagram(ref.id)
            assert 6 <= len(diagram.refs()) <= 15, diagram.name
            assert callout_refs(diagram.svg) == diagram.refs()
            assert len(diagram.svg) < 6000
            held = await connection.fetchval(
                "SELECT count(DISTINCT c.part) FROM vehicle_callout_part c JOIN stock_item s ON s.part = c.part"
                " WHERE c.diagram = $1 AND s.on_hand > 0", ref.id)
            assert held == len({row.part_id for row in diagram.rows})  # every part is held by a demo dealer
            assert any(fits(row, golf) for row in diagram.rows)
