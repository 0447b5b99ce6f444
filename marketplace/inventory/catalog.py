"""The network catalog: import from CSV, supersession chains."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from marketplace.csvfiles import decode, read_rows
from marketplace.errors import Invalid, NotFound
from marketplace.inventory.chains import forget as forget_chains
from marketplace.inventory.normalize import normalize_part_number
from marketplace.inventory.search_terms import part_number_or_words
from marketplace.inventory.suggestions import forget as forget_numbers
from marketplace.inventory.tables import Channel, Part
from marketplace.money import parse_amount
from marketplace.pagination import PER_PAGE, Page

COLUMNS = ("part_number", "description", "brand", "category", "list_price", "map_price", "channel")
REQUIRED = ("part_number", "list_price")
CHANNELS = {c.value for c in Channel}


@dataclass(frozen=True, slots=True)
class Reject:
    line: int
    part_number: str
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


@dataclass(slots=True)
class _Line:
    line: int
    part_number: str
    normalized: str
    description: str
    brand: str
    category: str
    list_price: Decimal
    map_price: Decimal | None
    channel: str
    superseded_by: str | None  # normalized; None = no replacement


def _parse_line(line: int, cells: dict[str, str]) -> _Line:
    """One CSV row, or ValueError with the reason."""
    number = cells.get("part_number", "").strip()
    normalized = normalize_part_number(number)
    if not normalized:
        raise ValueError("part_number is empty")
    if len(normalized) > 64 or len(number) > 64:
        raise ValueError("part_number is longer than 64 characters")
    try:
        list_price = parse_amount(cells.get("list_price", ""))
    except ValueError as error:
        raise ValueError(f"list_price: {error}")
    if list_price == 0:  # the shop would give the part away, and every share of its sale would be 0
        raise ValueError("list_price is 0: a part needs a price above zero")
    map_text = cells.get("map_price", "").strip()
    try:
        map_price = parse_amount(map_text) if map_text else None
    except ValueError as error:
        raise ValueError(f"map_price: {error}")
    if map_price is not None and map_price > list_price:
        raise ValueError("map_price is above list_price")
    channel = cells.get("channel", "").strip().lower() or Channel.online.value
    if channel not in CHANNELS:
        raise ValueError(f"channel must be physical_only or online, not {channel!r}")
    successor = normalize_part_number(cells.get("superseded_by", "")) or None
    if successor == normalized:
        raise ValueError("a part cannot supersede itself")
    return _Line(
        line=line, part_number=number, normalized=normalized, description=cells.get("description", "").strip(),
        brand=cells.get("brand", "").strip()[:64], category=cells.get("category", "").strip()[:64],
        list_price=list_price, map_price=map_price, channel=channel, superseded_by=successor,
    )


def parse_catalog(data: bytes) -> tuple[int, list[_Line], list[Reject], bool]:
    """Valid lines, rejects, and whether the file has a superseded_by column."""
    header, numbers, rows = read_rows(decode(data))
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise Invalid(f"the header lacks {', '.join(missing)}; expected columns: {', '.join(COLUMNS)}", "file")
    lines: list[_Line] = []
    rejects: list[Reject] = []
    for number, row in zip(numbers, rows):
        cells = dict(zip(header, row))
        try:
            lines.append(_parse_line(number, cells))
        except ValueError as error:
            rejects.append(Reject(number, cells.get("part_number", "").strip(), str(error)))
    lines = _without_duplicates(lines, rejects)
    return len(rows), lines, rejects, "superseded_by" in header


def _without_duplicates(lines: list[_Line], rejects: list[Reject]) -> list[_Line]:
    by_number: dict[str, list[_Line]] = {}
    for line in lines:
        by_number.setdefault(line.normalized, []).append(line)
    kept = []
    for line in lines:
        twins = by_number[line.normalized]
        if len(twins) == 1:
            kept.append(line)
        else:
            others = ", ".join(str(t.line) for t in twins if t is not line)
            rejects.append(Reject(line.line, line.part_number, f"part listed twice: also on line {others}"))
    return kept


async def _existing_links() -> dict[str, str]:
    rows = await Part.raw(
        "SELECT p.normalized AS old, s.normalized AS new FROM part p JOIN part s ON s.id = p.superseded_by"
    )
    return {row["old"]: row["new"] for row in rows}


def _reaches(links: dict[str, str], start: str, target: str) -> bool:
    seen = set()
    node: str | None = start
    while node is not None and node not in seen:
        if node == target:
            return True
        seen.add(node)
        node = links.get(node)
    return False


async def _check_successors(lines: list[_Line], rejects: list[Reject], sets_links: bool) -> list[_Line]:
    """Drop lines whose replacement is unknown or would close a cycle."""
    if not sets_links:
        return lines
    in_file = {line.normalized for line in lines}
    wanted = list({line.superseded_by for line in lines if line.superseded_by})
    known = ({r["normalized"] for r in await Part.select(Part.normalized).where(Part.normalized.is_in(wanted))}
             if wanted else set())
    links = await _existing_links()
    kept = []
    for line in lines:
        successor = line.superseded_by
        links.pop(line.normalized, None)
        if successor and successor not in in_file and successor not in known:
            rejects.append(Reject(line.line, line.part_number, f"superseded_by {successor} is not in the catalog"))
            continue
        if successor and _reaches(links, successor, line.normalized):
            rejects.append(Reject(line.line, line.part_number, f"superseded_by {successor} would close a cycle"))
            continue
        if successor:
            links[line.normalized] = successor
        kept.append(line)
    # A line dropped above may be the target of a kept one; their links must not dangle.
    return _drop_dangling(kept, rejects, in_file - {line.normalized for line in kept}, known)


def _drop_dangling(lines: list[_Line], rejects: list[Reject], dropped: set[str], known: set[str]) -> list[_Line]:
    while True:
        bad = [l for l in lines if l.superseded_by in dropped and l.superseded_by not in known]
        if not bad:
            return lines
        for line in bad:
            rejects.append(Reject(line.line, line.part_number, f"superseded_by {line.superseded_by} was rejected"))
            dropped.add(line.normalized)
        lines = [l for l in lines if l not in bad]


_UPSERT = """
INSERT INTO part (part_number, normalized, description, brand, category, list_price, map_price, channel, updated_at)
SELECT part_number, normalized, description, brand, category, list_price, map_price, channel, now() FROM catalog_in
ON CONFLICT (normalized) DO UPDATE SET
    part_number = EXCLUDED.part_number, description = EXCLUDED.description, brand = EXCLUDED.brand,
    category = EXCLUDED.category, list_price = EXCLUDED.list_price, map_price = EXCLUDED.map_price,
    channel = EXCLUDED.channel, updated_at = now()
RETURNING (xmax = 0) AS inserted
"""

_LINK = """
UPDATE part p SET superseded_by = s.id
FROM catalog_in c LEFT JOIN part s ON s.normalized = c.superseded_by
WHERE p.normalized = c.normalized AND p.superseded_by IS DISTINCT FROM s.id
"""


async def import_catalog(data: bytes) -> ImportReport:
    """Upsert the valid lines of a catalog CSV by part number, in one transaction."""
    lines_read, lines, rejects, sets_links = parse_catalog(data)
    lines = await _check_successors(lines, rejects, sets_links)
    report = ImportReport(lines_read=lines_read, rejected=sorted(rejects, key=lambda r: r.line))
    if not lines:
        return report
    async with Part._meta.db.transaction() as tx:
        connection = tx.connection
        await connection.execute(
            "CREATE TEMP TABLE catalog_in (part_number text, normalized text, description text, brand text,"
            " category text, list_price numeric(12,2), map_price numeric(12,2), channel text, superseded_by text)"
            " ON COMMIT DROP"
        )
        await connection.copy_records_to_table(
            "catalog_in",
            records=[
                (l.part_number, l.normalized, l.description, l.brand, l.category, l.list_price, l.map_price,
                 l.channel, l.superseded_by)
                for l in lines
            ],
        )
        inserted = await connection.fetch(_UPSERT)
        report.created = sum(1 for row in inserted if row["inserted"])
        report.updated = len(inserted) - report.created
        if sets_links:
            await connection.execute(_LINK)
    forget_chains()
    forget_numbers()
    return report


_PART_COLUMNS = (
    Part.id, Part.part_number, Part.normalized, Part.description, Part.brand, Part.category,
    Part.list_price, Part.map_price, Part.channel, Part.superseded_by.part_number.as_alias("superseded_by"),
)


async def get_part(part_number: str) -> dict:
    row = await Part.select(*_PART_COLUMNS).where(Part.normalized == normalize_part_number(part_number)).first()
    if row is None:
        raise NotFound(f"no part {part_number} in the catalog", "part_number")
    return row


async def search_parts(q: str = "", page: int = 1) -> Page[dict]:
    """Parts whose number starts with ``q`` (typed any way) or whose description holds its words
    (Italian forms, beginnings of words)."""
    where = Part.id.is_not_null()
    if q.strip():
        where = part_number_or_words(q)
    total = await Part.count().where(where)
    rows = await Part.select(*_PART_COLUMNS).where(where).order_by(Part.normalized).limit(PER_PAGE).offset(
        (page - 1) * PER_PAGE
    )
    return Page(items=rows, total=total, page=page)
