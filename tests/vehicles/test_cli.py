"""``marketplace vehicles import``, ``marketplace vehicle list`` and ``marketplace diagrams import`` as an operator runs them."""

from __future__ import annotations

from marketplace.inventory.catalog import import_catalog
from marketplace.vehicles.catalog import get_diagram
from marketplace.vehicles.tables import Diagram
from tests.test_cli import marketplace
from tests.vehicles.catalog import CALLOUTS, GOLF, GOLF_DIESEL, MORE_PARTS, SVG, VEHICLES


async def test_vehicles_import_and_list(tmp_path):
    file = tmp_path / "vehicles.csv"
    file.write_text(VEHICLES + "WVWZZZCDZMWOOOOO1,Golf VIII,,,,,\n")
    result = marketplace("vehicles", "import", str(file))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "lines read 3, created 2, updated 0, rejected 1",
        "  line 4: WVWZZZCDZMWOOOOO1: a VIN never contains the letters I, O or Q (they are the digits 1 and 0)",
    ]
    listed = marketplace("vehicle", "list")
    assert listed.stdout.splitlines() == [f"{GOLF}\tGolf VIII", f"{GOLF_DIESEL}\tGolf VIII"]
    nothing = tmp_path / "bad.csv"
    nothing.write_text("vin,model\nX,Golf\n")
    assert marketplace("vehicles", "import", str(nothing)).returncode == 1


async def test_diagrams_import_reads_a_folder(tmp_path):
    from tests.matching.network import CATALOG

    await import_catalog(CATALOG.encode())
    await import_catalog(MORE_PARTS.encode())
    (tmp_path / "brakes.svg").write_text(SVG)
    (tmp_path / "callouts.csv").write_text(CALLOUTS)
    result = marketplace("diagrams", "import", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["lines read 5, diagrams 1, rows 5, rejected 0"]
    diagram = await get_diagram((await Diagram.select(Diagram.id).first())["id"])
    assert diagram.refs() == ["1", "2", "3"] and "script" not in diagram.svg
    assert marketplace("diagrams", "import", str(tmp_path / "nope")).returncode == 2
