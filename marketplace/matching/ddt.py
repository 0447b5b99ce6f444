"""The transport document (DDT, documento di trasporto) of a shipped transfer.

A DDT is numbered when the supplier ships: the supplier's next number of the year (Rome), taken
from its counter row with an upsert, so two parcels shipped at once by one supplier get two
numbers and no gap (the counter's row lock serializes them; a rolled-back shipment rolls its
number back too). The document names sender and recipient with their legal names and addresses,
the part and quantity, the carrier and tracking, and the shipping date.
"""

from __future__ import annotations

from datetime import datetime

from marketplace.accounts.principal import Principal
from marketplace.calendar import ROME
from marketplace.errors import NotFound
from marketplace.matching.tables import Transfer

_NEXT = """
INSERT INTO ddt_counter (supplier, year, last_number) VALUES ($1, $2, 1)
ON CONFLICT (supplier, year) DO UPDATE SET last_number = ddt_counter.last_number + 1
RETURNING last_number
"""


async def number_shipment(connection, transfer_id: int, supplier_id: int, at: datetime) -> tuple[int, int]:
    """Give a transfer being shipped its DDT number (in the shipping transaction): (year, number)."""
    year = at.astimezone(ROME).year
    number = await connection.fetchval(_NEXT, supplier_id, year)
    await connection.execute("UPDATE transfer SET shipped_at = $2, ddt_year = $3, ddt_number = $4 WHERE id = $1",
                             transfer_id, at, year, number)
    return year, number


def ddt_label(year: int, number: int) -> str:
    """How a DDT number is written: 17/2026."""
    return f"{number}/{year}"


def _party(prefix):
    side = getattr(Transfer, prefix)
    return (
        side.code.as_alias(f"{prefix}_code"), side.name.as_alias(f"{prefix}_name"),
        side.legal_name.as_alias(f"{prefix}_legal_name"), side.vat_number.as_alias(f"{prefix}_vat_number"),
        side.address.as_alias(f"{prefix}_address"), side.postal_code.as_alias(f"{prefix}_postal_code"),
        side.city.as_alias(f"{prefix}_city"), side.province.as_alias(f"{prefix}_province"),
        side.phone.as_alias(f"{prefix}_phone"), side.id.as_alias(f"{prefix}_id"),
    )


async def transport_document(principal: Principal, transfer_id: int) -> dict:
    """The DDT of a shipped transfer, for its two dealers (any of their staff) and managers; 404
    for anyone else, or while the transfer has not shipped."""
    row = await Transfer.select(
        Transfer.id, Transfer.status, Transfer.quantity, Transfer.carrier, Transfer.tracking, Transfer.shipped_at,
        Transfer.ddt_year, Transfer.ddt_number, Transfer.note,
        Transfer.part.part_number.as_alias("part_number"), Transfer.part.description.as_alias("description"),
        *_party("supplier"), *_party("requester"),
    ).where(Transfer.id == transfer_id).first()
    if row is None or not (principal.is_manager or principal.dealer_id in (row["requester_id"], row["supplier_id"])):
        raise NotFound(f"no transfer {transfer_id}", "transfer")
    if row["ddt_number"] is None:
        raise NotFound(f"transfer {transfer_id} has no transport document: it has not shipped", "transfer")
    for prefix in ("supplier", "requester"):
        row[f"{prefix}_legal_name"] = row[f"{prefix}_legal_name"] or row[f"{prefix}_name"]
    row["label"] = ddt_label(row["ddt_year"], row["ddt_number"])
    return row


_BACKFILL = """
WITH shipped AS (
    SELECT t.id, t.supplier, coalesce(
        (SELECT min(e.at) FROM transfer_event e WHERE e.transfer = t.id AND e.to_status = 'shipped'), t.updated_at) AS at
    FROM transfer t WHERE t.status IN ('shipped', 'received') AND t.ddt_number IS NULL
), numbered AS (
    SELECT s.id, s.at, extract(year FROM s.at AT TIME ZONE 'Europe/Rome')::int AS year,
           coalesce((SELECT c.last_number FROM ddt_counter c WHERE c.supplier = s.supplier
                     AND c.year = extract(year FROM s.at AT TIME ZONE 'Europe/Rome')::int), 0)
           + row_number() OVER (PARTITION BY s.supplier, extract(year FROM s.at AT TIME ZONE 'Europe/Rome')
                                ORDER BY s.at, s.id) AS number
    FROM shipped s
)
UPDATE transfer t SET shipped_at = n.at, ddt_year = n.year, ddt_number = n.number FROM numbered n WHERE t.id = n.id
"""
_COUNTERS = """
INSERT INTO ddt_counter (supplier, year, last_number)
SELECT supplier, ddt_year, max(ddt_number) FROM transfer WHERE ddt_number IS NOT NULL GROUP BY supplier, ddt_year
ON CONFLICT (supplier, year) DO UPDATE SET last_number = GREATEST(ddt_counter.last_number, EXCLUDED.last_number)
"""


async def number_past_shipments(connection) -> int:
    """Give DDT numbers to transfers shipped before numbering existed (the demo's year, an old
    database), in shipping order per supplier and year, after any number already given; run while
    nothing ships (the demo's seeding, a maintenance window). How many were numbered."""
    status = await connection.execute(_BACKFILL)
    await connection.execute(_COUNTERS)
    return int(status.split()[-1])
