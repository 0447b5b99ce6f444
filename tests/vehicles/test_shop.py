"""The shop by vehicle: a customer's VIN -> the model's diagrams -> the fitting parts on sale online."""

from __future__ import annotations

from marketplace.inventory.tables import Part
from tests.vehicles.catalog import GOLF, GOLF_DIESEL, UNKNOWN_VW, build_vehicle_catalog


async def test_a_customer_finds_the_parts_for_the_car(client):
    built = await build_vehicle_catalog()
    # A part sold at the counter only is not offered.
    await Part.update({Part.channel: "physical_only"}).where(Part.part_number == "04E 115 561 H")
    start = await client.get("/shop/vehicle/")
    assert start.status_code == 200 and "Trova i ricambi per la tua auto" in start.text
    assert (await client.get("/shop/vehicle/", params={"vin": GOLF.lower()})).headers["location"] == f"/shop/vehicle/{GOLF}"
    groups = await client.get(f"/shop/vehicle/{GOLF}")
    assert groups.status_code == 200 and "Freno a disco anteriore" in groups.text

    petrol = await client.get(f"/shop/vehicle/{GOLF}/diagrams/{built['diagram_id']}", params={"ref": "1"})
    assert petrol.status_code == 200
    # The old disc number is sold as its newest one; the 16" pads and the diesel filter do not fit;
    # the petrol filter is not sold online.
    assert 'href="/shop/parts/5Q0615301F"' in petrol.text and "1K0 615 301 AA" not in petrol.text
    assert "5Q0 698 151 A" in petrol.text and "5Q0 698 151 B" not in petrol.text
    assert "03L 115 562" not in petrol.text and "04E 115 561 H" not in petrol.text
    assert "<script" not in petrol.text.split("<main")[1]

    diesel = await client.get(f"/shop/vehicle/{GOLF_DIESEL}/diagrams/{built['diagram_id']}")
    assert "03L 115 562" in diesel.text and "5Q0 698 151 B" in diesel.text

    unknown = await client.get(f"/shop/vehicle/{UNKNOWN_VW}")
    assert unknown.status_code == 404 and "Costruttore: Volkswagen." in unknown.text and "Golf VIII" in unknown.text
    invalid = await client.get("/shop/vehicle/ABC")
    assert invalid.status_code == 422 and "il telaio ha esattamente 17 caratteri" in invalid.text
