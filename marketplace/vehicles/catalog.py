"""The catalog by vehicle: a model's groups, subgroups and diagrams, each diagram's callout rows,
and the one rule of which rows fit a vehicle (:func:`fits`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from marketplace.db import raw_connection
from marketplace.errors import NotFound
from marketplace.vehicles.master import KnownVehicle


@dataclass(frozen=True, slots=True)
class DiagramRef:
    id: int
    code: str
    name: str


@dataclass(slots=True)
class Group:
    id: int
    code: str
    name: str
    subgroups: list[Group] = field(default_factory=list)
    diagrams: list[DiagramRef] = field(default_factory=list)

    def all_diagrams(self) -> list[DiagramRef]:
        return self.diagrams + [d for sub in self.subgroups for d in sub.all_diagrams()]


@dataclass(frozen=True, slots=True)
class CalloutRow:
    ref: str
    position: int
    part_id: int
    part_number: str
    normalized: str
    description: str
    quantity: int
    note: str
    year_from: int | None
    year_to: int | None
    engine_codes: tuple[str, ...]
    option_codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DiagramView:
    id: int
    code: str
    name: str
    model_id: int
    model: str
    group: str
    subgroup: str
    svg: str
    rows: tuple[CalloutRow, ...]

    def refs(self) -> list[str]:
        return list(dict.fromkeys(row.ref for row in self.rows))


def fits(row: CalloutRow, vehicle: KnownVehicle | None) -> bool | None:
    """Whether a callout row fits a vehicle: its model year within the row's range, its engine code
    among the row's, one of its option codes among the row's (an empty condition holds for all).
    None when it cannot be told: no vehicle, or a VIN the master does not hold (engine and options unknown)."""
    if vehicle is None or not vehicle.complete:
        return None
    year = vehicle.model_year
    if year is not None and ((row.year_from is not None and year < row.year_from)
                             or (row.year_to is not None and year > row.year_to)):
        return False
    if row.engine_codes and vehicle.engine_code not in row.engine_codes:
        return False
    if row.option_codes and not set(row.option_codes) & set(vehicle.option_codes):
        return False
    return True


async def groups_of(model_id: int) -> list[Group]:
    """A model's groups in code order, with their subgroups and diagrams."""
    async with raw_connection() as connection:
        groups = await connection.fetch(
            "SELECT id, parent, code, name FROM vehicle_group WHERE model = $1 ORDER BY parent NULLS FIRST, code",
            model_id)
        diagrams = await connection.fetch(
            "SELECT d.id, d.subgroup, d.code, d.name FROM vehicle_diagram d JOIN vehicle_group g ON g.id = d.subgroup"
            " WHERE g.model = $1 ORDER BY d.code, d.id", model_id)
    by_id: dict[int, Group] = {}
    top: list[Group] = []
    for row in groups:
        group = by_id[row["id"]] = Group(row["id"], row["code"], row["name"])
        if row["parent"] is None:
            top.append(group)
        elif row["parent"] in by_id:
            by_id[row["parent"]].subgroups.append(group)
    for row in diagrams:
        if row["subgroup"] in by_id:
            by_id[row["subgroup"]].diagrams.append(DiagramRef(row["id"], row["code"], row["name"]))
    return top


_ROWS = """
SELECT c.ref, c.position, p.id AS part_id, p.part_number, p.normalized, p.description, c.quantity, c.note,
       c.year_from, c.year_to, c.engine_codes, c.option_codes
FROM vehicle_callout_part c JOIN part p ON p.id = c.part
WHERE c.diagram = $1 ORDER BY c.position, c.id
"""


async def get_diagram(diagram_id: int) -> DiagramView:
    """A diagram with its callout rows in drawing order; NotFound when there is none."""
    async with raw_connection() as connection:
        head = await connection.fetchrow(
            "SELECT d.id, d.code, d.name, d.svg, s.name AS subgroup, g.name AS grp, m.id AS model_id, m.name AS model"
            " FROM vehicle_diagram d JOIN vehicle_group s ON s.id = d.subgroup"
            " JOIN vehicle_group g ON g.id = coalesce(s.parent, s.id) JOIN vehicle_model m ON m.id = s.model"
            " WHERE d.id = $1", diagram_id)
        if head is None:
            raise NotFound("no such diagram", "diagram_id")
        rows = await connection.fetch(_ROWS, diagram_id)
    return DiagramView(
        id=head["id"], code=head["code"], name=head["name"], model_id=head["model_id"], model=head["model"],
        group=head["grp"], subgroup=head["subgroup"], svg=head["svg"],
        rows=tuple(CalloutRow(
            r["ref"], r["position"], r["part_id"], r["part_number"], r["normalized"], r["description"], r["quantity"],
            r["note"], r["year_from"], r["year_to"], tuple(r["engine_codes"] or ()), tuple(r["option_codes"] or ()),
        ) for r in rows),
    )


async def diagram_svg(diagram_id: int) -> str:
    """The stored (sanitized) SVG of a diagram."""
    async with raw_connection() as connection:
        svg = await connection.fetchval("SELECT svg FROM vehicle_diagram WHERE id = $1", diagram_id)
    if svg is None:
        raise NotFound("no such diagram", "diagram_id")
    return svg


async def on_sale_for(part_ids: list[int]) -> dict[int, dict]:
    """For each callout part, the part the shop sells for it: the newest number of its chain, when
    that is on sale online (``inventory.on_sale``); parts the shop does not sell are left out."""
    from marketplace.inventory.chains import chains_of
    from marketplace.inventory.on_sale import on_sale

    if not part_ids:
        return {}
    async with raw_connection() as connection:
        numbers = {r["id"]: r["normalized"] for r in await connection.fetch(
            "SELECT id, normalized FROM part WHERE id = ANY($1::int[])", list(set(part_ids)))}
        chains = await chains_of(connection, list(set(numbers.values())))
        newest = {part_id: chains[number][0].id for part_id, number in numbers.items() if number in chains}
        sold = {r["id"]: dict(r) for r in await connection.fetch(
            "SELECT p.id, p.part_number, p.normalized, p.description, p.list_price, p.map_price FROM part p"
            f" WHERE p.id = ANY($1::int[]) AND {on_sale('p.')}", list(set(newest.values())))}
    return {part_id: sold[new_id] for part_id, new_id in newest.items() if new_id in sold}
