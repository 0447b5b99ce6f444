"""The demo's catalog by vehicle: models of the importer's brands, their exploded diagrams (drawn here
as small SVGs), callout rows on parts of the demo catalog that demo dealers hold, and demo vehicles.

Everything goes through the vehicles domain's own imports (``import_diagrams``, ``upsert_vehicles``),
the same code a CSV import runs. Deterministic for a seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from marketplace.db import raw_connection
from marketplace.vehicles.diagram_import import COLUMNS, import_diagrams
from marketplace.vehicles.master import VehicleInput, upsert_vehicles


@dataclass(frozen=True, slots=True)
class DemoModel:
    name: str
    manufacturer: str
    brand: str  # the catalog's brand of its original parts
    wmi: str
    type_code: str  # VIN characters 7-8
    plant: str  # VIN character 11
    years: tuple[int, int]
    engines: tuple[str, ...]


MODELS = (
    DemoModel("Golf VIII", "Volkswagen", "Volkswagen", "WVW", "CD", "W", (2020, 2024), ("DLAA", "DPCA", "DTTA")),
    DemoModel("Golf VII", "Volkswagen", "Volkswagen", "WVW", "AU", "W", (2013, 2019), ("CJZA", "CHPA", "CRLB")),
    DemoModel("T-Roc", "Volkswagen", "Volkswagen", "WVG", "A1", "V", (2018, 2024), ("DADA", "DFFA")),
    DemoModel("Octavia IV", "Škoda", "Skoda", "TMB", "NX", "0", (2020, 2024), ("DPCA", "DTRD")),
)
VERSIONS = {"DLAA": "1.0 eTSI 110 CV", "DPCA": "1.5 TSI 150 CV", "DTTA": "2.0 TDI 150 CV", "CJZA": "1.2 TSI 105 CV",
            "CHPA": "1.4 TSI 150 CV", "CRLB": "2.0 TDI 150 CV", "DADA": "1.5 TSI 150 CV", "DFFA": "2.0 TDI 150 CV",
            "DTRD": "2.0 TDI 116 CV"}
YEAR_CODES = {2013: "D", 2014: "E", 2015: "F", 2016: "G", 2017: "H", 2018: "J", 2019: "K", 2020: "L", 2021: "M",
              2022: "N", 2023: "P", 2024: "R"}

# group code, group, subgroup code, subgroup, diagram, catalog category, callout descriptions in order
DIAGRAMS = (
    ("47", "Freni", "47A", "Freni anteriori", "Freno a disco anteriore", "freni",
     ("Disco freno anteriore", "Pastiglie freno anteriori", "Pinza freno anteriore sinistra",
      "Pinza freno anteriore destra", "Sensore usura pastiglie", "Tubo flessibile freno", "Pompa freno",
      "Servofreno")),
    ("47", "Freni", "47B", "Freni posteriori", "Freno posteriore", "freni",
     ("Disco freno posteriore", "Pastiglie freno posteriori", "Ganasce freno posteriori", "Tamburo freno posteriore",
      "Tubo flessibile freno", "Sensore usura pastiglie")),
    ("11", "Olio e filtri", "11A", "Manutenzione motore", "Filtri e olio motore", "filtri",
     ("Filtro olio", "Filtro aria motore", "Filtro aria abitacolo", "Filtro abitacolo ai carboni attivi",
      "Filtro carburante", "Filtro olio cambio DSG")),
    ("40", "Sospensioni", "40A", "Sospensione anteriore", "Avantreno e ammortizzatori anteriori", "sospensioni",
     ("Ammortizzatore anteriore", "Molla elicoidale anteriore", "Supporto ammortizzatore", "Braccio oscillante anteriore",
      "Bieletta barra stabilizzatrice", "Testina sterzo", "Tirante sterzo", "Cuscinetto ruota")),
    ("40", "Sospensioni", "40B", "Sospensione posteriore", "Retrotreno e ammortizzatori posteriori", "sospensioni",
     ("Ammortizzatore posteriore", "Mozzo ruota posteriore", "Cuscinetto ruota", "Bieletta barra stabilizzatrice",
      "Supporto ammortizzatore", "Barra stabilizzatrice")),
    ("94", "Illuminazione", "94A", "Fari anteriori", "Fari e fendinebbia", "illuminazione",
     ("Faro anteriore LED sinistro", "Faro anteriore alogeno destro", "Lampadina H7", "Lampada xeno D3S",
      "Centralina faro LED", "Fendinebbia anteriore", "Indicatore di direzione laterale")),
    ("94", "Illuminazione", "94B", "Fanali posteriori", "Fanali posteriori e luce targa", "illuminazione",
     ("Fanale posteriore sinistro", "Terza luce stop", "Luce targa", "Lampadina H4", "Interruttore luci stop")),
)
LED_OPTION, HALOGEN_OPTION = "8IT", "8ID"  # PR codes: LED or halogen headlights
BIG_BRAKES, SMALL_BRAKES = "1ZD", "1ZA"  # PR codes: 16" or 15" front brakes


async def _held_parts(connection, model: DemoModel, category: str) -> dict[str, list[str]]:
    """Per description (without its "per <model>" hint), the catalog's part numbers of the model's
    brand (or an aftermarket one) and category, held by demo dealers: those held by the most first,
    and none whose description names another model."""
    rows = await connection.fetch(
        "SELECT p.part_number, split_part(p.description, ' per ', 1) AS item,"
        " split_part(p.description, ' per ', 2) AS hint, count(s.id) AS holders"
        " FROM part p JOIN stock_item s ON s.part = p.id AND s.shared AND s.on_hand > 0"
        " WHERE p.category = $1 AND p.brand = ANY($2::text[]) AND p.superseded_by IS NULL"
        " GROUP BY p.id ORDER BY holders DESC, p.part_number", category,
        [model.brand, "Volkswagen", "Bosch", "Brembo", "Mann-Filter", "Valeo", "Sachs"])
    found: dict[str, list[str]] = {}
    for row in rows:
        if row["hint"] in ("", model.name):
            found.setdefault(row["item"], []).append(row["part_number"])
    return found


_INK = 'fill="#eceff1" stroke="#37474f" stroke-width="2"'


def draw(title: str, refs: list[str], seed: str) -> str:
    """A small exploded view: each part a simple shape with a leader line to its numbered callout."""
    rng = random.Random(seed)
    width, height = 400, 300
    shapes = []
    columns = 4
    for index, ref in enumerate(refs):
        col, row = index % columns, index // columns
        x, y = 55 + col * 95, 60 + row * 70
        kind = rng.choice(("disc", "box", "rod", "ring"))
        if kind == "disc":
            part = f'<circle cx="{x}" cy="{y}" r="22" fill="#eceff1" stroke="#37474f" stroke-width="2"/>' \
                   f'<circle cx="{x}" cy="{y}" r="7" fill="#fff" stroke="#37474f"/>'
        elif kind == "box":
            part = f'<rect x="{x - 22}" y="{y - 15}" width="44" height="30" rx="4" {_INK}/>'
        elif kind == "rod":
            part = f'<rect x="{x - 28}" y="{y - 6}" width="56" height="12" rx="6" {_INK}/>'
        else:
            part = f'<circle cx="{x}" cy="{y}" r="18" fill="none" stroke="#37474f" stroke-width="5"/>'
        bx, by = x + 30, y - 26
        shapes.append(
            f'<g data-ref="{ref}">{part}<line x1="{x + 12}" y1="{y - 10}" x2="{bx}" y2="{by}" stroke="#607d8b"/>'
            f'<circle cx="{bx}" cy="{by}" r="11" fill="#fff" stroke="#1565c0" stroke-width="2"/>'
            f'<text x="{bx}" y="{by + 4}" font-size="12" text-anchor="middle" font-family="sans-serif">{ref}</text></g>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
            f'<title>{title}</title><rect width="{width}" height="{height}" fill="#fafafa"/>{"".join(shapes)}</svg>')


def _csv_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return f'"{text}"' if "," in text else text


async def seed_vehicles(seed: int = 1) -> None:
    """The demo's models, diagrams and vehicles (after the catalog and stock are in)."""
    rng = random.Random(f"vehicles:{seed}")
    lines: list[list[object]] = []
    svgs: dict[str, bytes] = {}
    async with raw_connection() as connection:
        for model in MODELS:
            for group_code, group, subgroup_code, subgroup, diagram, category, items in DIAGRAMS:
                held = await _held_parts(connection, model, category)
                refs: list[str] = []
                rows: list[list[object]] = []
                for item in items:
                    numbers = held.get(item, [])
                    if not numbers:
                        continue
                    ref = str(len(refs) + 1)
                    refs.append(ref)
                    rows.extend(_rows(rng, model, ref, item, numbers))
                if len(refs) < 6:  # a thin category in a small catalog: fill with what this category has
                    for item, numbers in held.items():
                        if len(refs) >= 6:
                            break
                        if item not in items:
                            ref = str(len(refs) + 1)
                            refs.append(ref)
                            rows.append([ref, numbers[0], 1, "", None, None, "", ""])
                if not refs:
                    continue
                file_name = f"{model.name.lower().replace(' ', '-')}-{subgroup_code.lower()}.svg"
                svgs[file_name] = draw(f"{model.name} · {diagram}", refs, file_name).encode()
                for ref, number, quantity, note, year_from, year_to, engines, options in rows:
                    lines.append([model.name, group_code, group, subgroup_code, subgroup, f"{subgroup_code}-1", diagram,
                                  file_name, ref, number, quantity, note, year_from, year_to, engines, options])
    header = ",".join(COLUMNS)
    body = "\n".join(",".join(_csv_cell(cell) for cell in line) for line in lines)
    await import_diagrams(f"{header}\n{body}\n".encode(), svgs)
    await upsert_vehicles(demo_vehicles(seed))


def _rows(rng: random.Random, model: DemoModel, ref: str, item: str, numbers: list[str]) -> list[list[object]]:
    """A callout's rows: one part for every vehicle, or (when the catalog has two) a split by engine,
    by years or by an option code, as real catalogs do."""
    quantity = 2 if any(word in item for word in ("Pastiglie", "Ganasce", "Ammortizzatore", "Molla", "Lampadina")) else 1
    first_year, last_year = model.years
    if "LED" in item:  # only cars with LED headlights have these
        return [[ref, numbers[0], quantity, "solo con fari LED", None, None, "", LED_OPTION]]
    if "alogeno" in item:
        return [[ref, numbers[0], quantity, "solo con fari alogeni", None, None, "", HALOGEN_OPTION]]
    if len(numbers) < 2 or rng.random() < 0.5:
        return [[ref, numbers[0], quantity, "", None, None, "", ""]]
    if "anteriore" in item and "freno" in item.lower():
        return [[ref, numbers[0], quantity, "freni anteriori 16\"", None, None, "", BIG_BRAKES],
                [ref, numbers[1], quantity, "freni anteriori 15\"", None, None, "", SMALL_BRAKES]]
    if rng.random() < 0.5 and len(model.engines) > 1:
        diesel = [e for e in model.engines if e.startswith(("DT", "DF", "CR"))]
        petrol = [e for e in model.engines if e not in diesel]
        return [[ref, numbers[0], quantity, "motori benzina", None, None, " ".join(petrol), ""],
                [ref, numbers[1], quantity, "motori diesel", None, None, " ".join(diesel), ""]]
    middle = (first_year + last_year) // 2
    return [[ref, numbers[0], quantity, f"fino al {middle}", None, middle, "", ""],
            [ref, numbers[1], quantity, f"dal {middle + 1}", middle + 1, None, "", ""]]


def demo_vehicles(seed: int = 1) -> list[VehicleInput]:
    """Three vehicles of each demo model: VINs of the importer's real WMIs, EU style (Z fillers)."""
    rng = random.Random(f"vins:{seed}")
    vehicles = []
    for number, model in enumerate(MODELS):
        for copy in range(3):
            year = rng.randint(*model.years)
            engine = model.engines[copy % len(model.engines)]
            serial = f"{rng.randint(0, 999999):06d}"
            vin = f"{model.wmi}ZZZ{model.type_code}Z{YEAR_CODES[year]}{model.plant}{serial}"
            options = (LED_OPTION if copy % 2 == 0 else HALOGEN_OPTION, BIG_BRAKES if copy == 2 else SMALL_BRAKES)
            vehicles.append(VehicleInput(
                vin=vin, model=model.name, version=VERSIONS[engine], engine_code=engine, model_year=year,
                build_date=date(year - 1 if rng.random() < 0.3 else year, rng.randint(1, 12), rng.randint(1, 28)),
                option_codes=options, manufacturer=model.manufacturer))
    return vehicles
