"""A small catalog by vehicle on top of the matching tests' network: one Golf VIII, its brakes diagram."""

from __future__ import annotations

from marketplace.inventory.catalog import import_catalog
from marketplace.vehicles.diagram_import import import_diagrams
from marketplace.vehicles.master import import_vehicles
from tests.matching.network import build_network, stock

GOLF = "WVWZZZCDZMW000001"  # Golf VIII 2021, DPCA petrol, LED headlights (8IT), 15" brakes (1ZA)
GOLF_DIESEL = "WVWZZZCDZNW000002"  # Golf VIII 2022, DTTA diesel, 16" brakes (1ZD)
UNKNOWN_VW = "WVWZZZAUZHW999999"  # valid, Volkswagen, not in the master

MORE_PARTS = (
    "part_number,description,list_price\n"
    "5Q0 698 151 A,Pastiglie freno anteriori 15,60.00\n"
    "5Q0 698 151 B,Pastiglie freno anteriori 16,70.00\n"
    "04E 115 561 H,Filtro olio benzina,14.00\n"
    "3Q0 407 151 L,Braccio oscillante anteriore,95.00\n"
)

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 100" onload="alert(1)">'
    '<script>alert("x")</script>'
    '<g data-ref="1" onclick="steal()"><circle cx="20" cy="20" r="10"/><text x="20" y="24">1</text></g>'
    '<g data-ref="2"><circle cx="60" cy="20" r="10"/><text x="60" y="24">2</text></g>'
    '<g data-ref="3"><circle cx="100" cy="20" r="10"/><text x="100" y="24">3</text></g>'
    '<a href="javascript:alert(2)"><rect width="5" height="5"/></a>'
    '</svg>'
)

HEADER = ("model,group_code,group_name,subgroup_code,subgroup_name,diagram_code,diagram_name,svg_file,ref,"
          "part_number,quantity,note,year_from,year_to,engine_codes,option_codes\n")
PREFIX = "Golf VIII,47,Freni,47A,Freni anteriori,47A-1,Freno a disco anteriore,brakes.svg"
CALLOUTS = HEADER + (
    f"{PREFIX},1,1K0 615 301 AA,2,,,,,\n"  # an old number: the chain leads to 5Q0 615 301 F
    f"{PREFIX},2,5Q0 698 151 A,1,freni 15\",,,,1ZA\n"
    f"{PREFIX},2,5Q0 698 151 B,1,freni 16\",,,,1ZD\n"
    f"{PREFIX},3,03L 115 562,1,diesel,,,DTTA,\n"
    f"{PREFIX},3,04E 115 561 H,1,benzina fino al 2021,,2021,DPCA DLAA,\n"
)
VEHICLES = (
    "vin,model,version,engine_code,model_year,build_date,option_codes\n"
    f"{GOLF},Golf VIII,1.5 eTSI,DPCA,2021,2021-03-15,8IT 1ZA\n"
    f"{GOLF_DIESEL},Golf VIII,2.0 TDI,DTTA,2022,2022-01-10,1ZD\n"
)


async def build_vehicle_catalog() -> dict:
    """The matching network (MI searches; MZ, RM hold the oil filter; BG the newest disc) plus the
    Golf's brakes diagram; returns the diagram id."""
    await build_network()
    await import_catalog(MORE_PARTS.encode())
    await stock("MZ", "03L 115 562", 5)
    await stock("RM", "03L 115 562", 5)
    await stock("BG", "5Q0 615 301 F", 2)
    await stock("TO", "5Q0 698 151 A", 3)
    await stock("TO", "5Q0 698 151 B", 3)
    report = await import_diagrams(CALLOUTS.encode(), {"brakes.svg": SVG.encode()})
    assert report.rows == 5 and not report.rejected, report
    await import_vehicles(VEHICLES.encode())
    from marketplace.vehicles.tables import Diagram

    return {"diagram_id": (await Diagram.select(Diagram.id).first())["id"]}
