"""Importing the catalog by vehicle: a CSV of callout rows and the SVGs it names.

One CSV line is one part row of one callout (``COLUMNS``). The lines of a diagram replace its rows;
its groups and subgroup are created or renamed; its SVG is sanitized (``svg.py``) and every ``ref``
must be a callout the SVG draws. The report names each refused line and why, as the catalog's
import does; a diagram whose SVG is missing or unusable refuses all its lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from marketplace.csvfiles import decode, read_rows
from marketplace.db import raw_connection
from marketplace.errors import DomainError, Invalid
from marketplace.inventory.normalize import normalize_part_number
from marketplace.vehicles.master import codes
from marketplace.vehicles.svg import callout_refs, sanitize_svg

COLUMNS = ("model", "group_code", "group_name", "subgroup_code", "subgroup_name", "diagram_code", "diagram_name",
           "svg_file", "ref", "part_number", "quantity", "note", "year_from", "year_to", "engine_codes", "option_codes")
REQUIRED = ("model", "group_code", "group_name", "subgroup_code", "subgroup_name", "diagram_code", "diagram_name",
            "svg_file", "ref", "part_number")


@dataclass(frozen=True, slots=True)
class Reject:
    line: int
    reference: str
    reason: str


@dataclass
class DiagramImportReport:
    lines_read: int = 0
    diagrams: int = 0
    rows: int = 0
    rejected: list[Reject] = field(default_factory=list)


@dataclass(slots=True)
class _Line:
    line: int
    key: tuple[str, str, str, str]  # model, group, subgroup, diagram codes
    cells: dict[str, str]
    ref: str
    normalized: str
    quantity: int
    year_from: int | None
    year_to: int | None
    engine_codes: tuple[str, ...]
    option_codes: tuple[str, ...]


def _year(text: str, name: str) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    if not text.isdigit() or not 1950 <= int(text) <= 2100:
        raise ValueError(f"{name} {text!r} is not a year")
    return int(text)


def _parse(line: int, cells: dict[str, str]) -> _Line:
    for name in REQUIRED:
        if not cells.get(name, "").strip():
            raise ValueError(f"{name} is empty")
    quantity_text = cells.get("quantity", "").strip() or "1"
    if not quantity_text.isdigit() or not 1 <= int(quantity_text) <= 999:
        raise ValueError(f"quantity {quantity_text!r} is not a whole number from 1 to 999")
    year_from, year_to = _year(cells.get("year_from", ""), "year_from"), _year(cells.get("year_to", ""), "year_to")
    if year_from and year_to and year_from > year_to:
        raise ValueError("year_from is after year_to")
    ref = cells["ref"].strip()
    if not ref.isalnum() or len(ref) > 8:
        raise ValueError(f"ref {ref!r} is not a callout number (1-8 letters and digits)")
    key = tuple(cells[name].strip() for name in ("model", "group_code", "subgroup_code", "diagram_code"))
    return _Line(line, key, cells, ref, normalize_part_number(cells["part_number"]), int(quantity_text), year_from,
                 year_to, codes(cells.get("engine_codes", "")), codes(cells.get("option_codes", "")))


async def import_diagrams(data: bytes, svgs: dict[str, bytes]) -> DiagramImportReport:
    """Apply a callout CSV with its SVG files (by file name); returns the line-by-line report."""
    header, numbers, rows = read_rows(decode(data))
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise Invalid(f"the header lacks {', '.join(missing)}; expected columns: {', '.join(COLUMNS)}", "file")
    report = DiagramImportReport(lines_read=len(rows))
    lines: list[_Line] = []
    for number, row in zip(numbers, rows):
        cells = dict(zip(header, row))
        try:
            lines.append(_parse(number, cells))
        except ValueError as error:
            report.rejected.append(Reject(number, cells.get("ref", "").strip(), str(error)))
    by_diagram: dict[tuple, list[_Line]] = {}
    for line in lines:
        by_diagram.setdefault(line.key, []).append(line)
    async with raw_connection() as connection, connection.transaction():
        part_ids = {r["normalized"]: r["id"] for r in await connection.fetch(
            "SELECT normalized, id FROM part WHERE normalized = ANY($1::text[])", [line.normalized for line in lines])}
        for key, group in by_diagram.items():
            await _apply(connection, key, group, svgs, part_ids, report)
    report.rejected.sort(key=lambda r: r.line)
    return report


async def _apply(connection, key, lines: list[_Line], svgs: dict[str, bytes], part_ids: dict[str, int],
                 report: DiagramImportReport) -> None:
    first = lines[0].cells
    svg_file = first["svg_file"].strip()
    try:
        if svg_file not in svgs:
            raise Invalid(f"the SVG file {svg_file} is not in the folder", "svg")
        svg = sanitize_svg(svgs[svg_file])
    except DomainError as error:
        report.rejected.extend(Reject(line.line, line.ref, error.message) for line in lines)
        return
    drawn = set(callout_refs(svg))
    kept = []
    for line in lines:
        if line.ref not in drawn:
            report.rejected.append(Reject(line.line, line.ref, f"callout {line.ref} is not drawn in {svg_file}"))
        elif line.normalized not in part_ids:
            report.rejected.append(Reject(line.line, line.ref, f"part {line.cells['part_number'].strip()} is not in the catalog"))
        else:
            kept.append(line)
    if not kept:
        return
    model, group_code, subgroup_code, diagram_code = key
    model_id = await connection.fetchval(
        "INSERT INTO vehicle_model (name) VALUES ($1) ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name"
        " RETURNING id", model)
    group_id = await _group(connection, model_id, None, group_code, first["group_name"].strip())
    subgroup_id = await _group(connection, model_id, group_id, subgroup_code, first["subgroup_name"].strip())
    diagram_id = await connection.fetchval(
        "INSERT INTO vehicle_diagram (subgroup, code, name, svg) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (subgroup, code) DO UPDATE SET name = EXCLUDED.name, svg = EXCLUDED.svg, updated_at = now()"
        " RETURNING id", subgroup_id, diagram_code, first["diagram_name"].strip()[:160], svg)
    await connection.execute("DELETE FROM vehicle_callout_part WHERE diagram = $1", diagram_id)
    await connection.executemany(
        "INSERT INTO vehicle_callout_part (diagram, ref, position, part, quantity, note, year_from, year_to,"
        " engine_codes, option_codes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        [(diagram_id, line.ref, position, part_ids[line.normalized], line.quantity,
          line.cells.get("note", "").strip()[:200], line.year_from, line.year_to, list(line.engine_codes),
          list(line.option_codes)) for position, line in enumerate(kept)])
    report.diagrams += 1
    report.rows += len(kept)


async def _group(connection, model_id: int, parent: int | None, code: str, name: str) -> int:
    found = await connection.fetchval(
        "SELECT id FROM vehicle_group WHERE model = $1 AND parent IS NOT DISTINCT FROM $2 AND code = $3",
        model_id, parent, code[:32])
    if found is not None:
        await connection.execute("UPDATE vehicle_group SET name = $2 WHERE id = $1", found, name[:120])
        return found
    return await connection.fetchval(
        "INSERT INTO vehicle_group (model, parent, code, name) VALUES ($1, $2, $3, $4) RETURNING id",
        model_id, parent, code[:32], name[:120])
