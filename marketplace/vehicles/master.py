"""The vehicle master: the importer's vehicles by VIN, imported by CSV or the API, and looked up at the counter."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from marketplace.csvfiles import decode, read_rows
from marketplace.db import raw_connection
from marketplace.errors import Invalid, NotFound
from marketplace.vehicles.vin import VinFacts, check_vin, vin_problem

COLUMNS = ("vin", "model", "version", "engine_code", "model_year", "build_date", "option_codes")
REQUIRED = ("vin", "model")
_CODE = re.compile(r"^[A-Z0-9]{1,16}$")
_CODES_SPLIT = re.compile(r"[\s|/+]+")


@dataclass(frozen=True, slots=True)
class VehicleInput:
    vin: str
    model: str
    version: str = ""
    engine_code: str = ""
    model_year: int | None = None
    build_date: date | None = None
    option_codes: tuple[str, ...] = ()
    manufacturer: str = ""


@dataclass(frozen=True, slots=True)
class Reject:
    line: int
    vin: str
    reason: str


@dataclass
class ImportReport:
    lines_read: int = 0
    created: int = 0
    updated: int = 0
    rejected: list[Reject] = field(default_factory=list)

    @property
    def lines_applied(self) -> int:
        return self.created + self.updated


def codes(text: str | list | tuple | None) -> tuple[str, ...]:
    """Option or engine codes as a file writes them ("PJ4 1ZA|2JB"), upper case, each checked."""
    items = text if isinstance(text, (list, tuple)) else _CODES_SPLIT.split((text or "").strip())
    found = []
    for item in items:
        code = str(item).strip().upper()
        if not code:
            continue
        if not _CODE.match(code):
            raise ValueError(f"{code!r} is not a code (1-16 letters and digits)")
        if code not in found:
            found.append(code)
    return tuple(found)


def vehicle_input(vin: str, model: str, version: str = "", engine_code: str = "", model_year: object = None,
                  build_date: object = None, option_codes: object = None) -> VehicleInput:
    """A vehicle as given; ValueError with the reason when a value is wrong."""
    problem = vin_problem(vin)
    if problem:
        raise ValueError(problem)
    facts = check_vin(vin)
    model = (model or "").strip()
    if not model or len(model) > 80:
        raise ValueError("model is empty or longer than 80 characters")
    year = None
    if model_year not in (None, ""):
        try:
            year = int(str(model_year).strip())
        except ValueError:
            raise ValueError(f"model_year {model_year!r} is not a year") from None
        if not 1950 <= year <= date.today().year + 2:
            raise ValueError(f"model_year {year} is out of range")
    built = None
    if isinstance(build_date, date):
        built = build_date
    elif build_date not in (None, ""):
        try:
            built = date.fromisoformat(str(build_date).strip())
        except ValueError:
            raise ValueError(f"build_date {build_date!r} is not a date (YYYY-MM-DD)") from None
    engine = (engine_code or "").strip().upper()
    if engine and not _CODE.match(engine):
        raise ValueError(f"engine_code {engine!r} is not a code (1-16 letters and digits)")
    version = (version or "").strip()
    if len(version) > 120:
        raise ValueError("version is longer than 120 characters")
    return VehicleInput(facts.vin, model, version, engine, year, built, codes(option_codes), facts.manufacturer)


def parse_vehicles(data: bytes) -> tuple[int, list[tuple[int, VehicleInput]], list[Reject]]:
    header, numbers, rows = read_rows(decode(data))
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise Invalid(f"the header lacks {', '.join(missing)}; expected columns: {', '.join(COLUMNS)}", "file")
    lines, rejects, seen = [], [], {}
    for number, row in zip(numbers, rows):
        cells = dict(zip(header, row))
        try:
            vehicle = vehicle_input(**{name: cells.get(name, "") for name in COLUMNS})
        except ValueError as error:
            rejects.append(Reject(number, cells.get("vin", "").strip(), str(error)))
            continue
        if vehicle.vin in seen:
            rejects.append(Reject(number, vehicle.vin, f"VIN listed twice: also on line {seen[vehicle.vin]}"))
            continue
        seen[vehicle.vin] = number
        lines.append((number, vehicle))
    return len(rows), lines, rejects


async def import_vehicles(data: bytes) -> ImportReport:
    """Upsert the vehicles of a CSV file (columns: ``COLUMNS``); a report line by line."""
    read, lines, rejects = parse_vehicles(data)
    report = await upsert_vehicles([vehicle for _, vehicle in lines])
    report.lines_read = read
    report.rejected = sorted(rejects, key=lambda r: r.line)
    return report


_UPSERT = """
INSERT INTO vehicle (vin, model, version, engine_code, model_year, build_date, option_codes, updated_at)
SELECT v.vin, m.id, v.version, v.engine_code, v.model_year, v.build_date,
       string_to_array(v.options, ' ')::varchar(16)[], now()
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::date[], $7::text[])
     AS v(vin, model_name, version, engine_code, model_year, build_date, options)
JOIN vehicle_model m ON m.name = v.model_name
ON CONFLICT (vin) DO UPDATE SET model = EXCLUDED.model, version = EXCLUDED.version,
    engine_code = EXCLUDED.engine_code, model_year = EXCLUDED.model_year, build_date = EXCLUDED.build_date,
    option_codes = EXCLUDED.option_codes, updated_at = now()
RETURNING (xmax = 0) AS created
"""


async def upsert_vehicles(vehicles: list[VehicleInput]) -> ImportReport:
    """Create or update vehicles by VIN (their models created as needed), in one transaction."""
    report = ImportReport(lines_read=len(vehicles))
    if not vehicles:
        return report
    async with raw_connection() as connection, connection.transaction():
        models = {}
        for vehicle in vehicles:
            models.setdefault(vehicle.model, vehicle.manufacturer)
        await connection.execute(
            "INSERT INTO vehicle_model (name, manufacturer) SELECT * FROM unnest($1::text[], $2::text[])"
            " ON CONFLICT (name) DO NOTHING", list(models), list(models.values()))
        rows = await connection.fetch(
            _UPSERT, [v.vin for v in vehicles], [v.model for v in vehicles], [v.version for v in vehicles],
            [v.engine_code for v in vehicles], [v.model_year for v in vehicles], [v.build_date for v in vehicles],
            [" ".join(v.option_codes) for v in vehicles])
    report.created = sum(1 for r in rows if r["created"])
    report.updated = len(rows) - report.created
    return report


async def vehicle_list() -> list[dict]:
    """Every vehicle: VIN and model, by VIN."""
    async with raw_connection() as connection:
        rows = await connection.fetch(
            "SELECT v.vin, m.name AS model FROM vehicle v JOIN vehicle_model m ON m.id = v.model ORDER BY v.vin")
    return [dict(r) for r in rows]


async def models(manufacturer: str | None = None) -> list[dict]:
    """The models, by name, those of ``manufacturer`` first (the picker of an unknown VIN)."""
    async with raw_connection() as connection:
        rows = await connection.fetch("SELECT id, name, manufacturer FROM vehicle_model ORDER BY name")
    return sorted((dict(r) for r in rows), key=lambda m: (m["manufacturer"] != (manufacturer or m["manufacturer"]),
                                                          m["name"]))


@dataclass(frozen=True, slots=True)
class KnownVehicle:
    vin: str
    manufacturer: str
    model_id: int
    model: str
    version: str
    engine_code: str
    model_year: int | None
    build_date: date | None
    option_codes: tuple[str, ...]
    check_digit_ok: bool
    complete: bool = True  # False: a VIN the master does not hold, seen as the model picked for it


async def find_vehicle(text: str) -> KnownVehicle:
    """The vehicle of a typed VIN. Invalid (422) with the reason when it is not a VIN; NotFound
    (404) carrying the ``manufacturer`` the VIN names when the master does not hold it."""
    facts = check_vin(text)
    async with raw_connection() as connection:
        row = await connection.fetchrow(
            "SELECT v.vin, v.model AS model_id, m.name AS model, m.manufacturer, v.version, v.engine_code,"
            " v.model_year, v.build_date, v.option_codes FROM vehicle v JOIN vehicle_model m ON m.id = v.model"
            " WHERE v.vin = $1", facts.vin)
    if row is None:
        raise NotFound("this VIN is not in the vehicle master", "vin",
                       manufacturer=facts.manufacturer or None, model_year_hint=facts.model_year_hint)
    return _known(row, facts)


async def model_vehicle(text: str, model_id: int) -> KnownVehicle:
    """A VIN the master does not hold, seen as the model the clerk picked (no engine or options known:
    every row of the model's catalog is shown)."""
    facts = check_vin(text)
    async with raw_connection() as connection:
        row = await connection.fetchrow("SELECT id, name, manufacturer FROM vehicle_model WHERE id = $1", model_id)
    if row is None:
        raise NotFound("no such model", "model")
    return KnownVehicle(facts.vin, facts.manufacturer or row["manufacturer"], row["id"], row["name"], "", "",
                        facts.model_year_hint, None, (), facts.check_digit_ok, complete=False)


def _known(row, facts: VinFacts) -> KnownVehicle:
    return KnownVehicle(
        vin=row["vin"], manufacturer=facts.manufacturer or row["manufacturer"], model_id=row["model_id"],
        model=row["model"], version=row["version"], engine_code=row["engine_code"], model_year=row["model_year"],
        build_date=row["build_date"], option_codes=tuple(row["option_codes"] or ()), check_digit_ok=facts.check_digit_ok,
    )


