"""A dealer's month as the incentives read it, from the ledger: its online volume (goods it bought
through the portal plus what it sold through the shop) and the network fees it bore (handling fees
of its transfer requests, its share of the platform fee of the online orders it sold).

Entries counted: transfers and orders booked in the period (the settlement month they count in),
not those reversed since.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from marketplace.db import raw_connection

ZERO = Decimal("0.00")
CENT = Decimal("0.01")

_PER_ENTRY = """
WITH entries AS (
    SELECT e.id, e.booked_at FROM ledger_entry e
    WHERE e.period = $1 AND e.kind IN ('transfer', 'order')
      AND NOT EXISTS (SELECT 1 FROM ledger_entry r WHERE r.reverses = e.id)
)
SELECT l.dealer, x.id AS entry, x.booked_at,
       COALESCE(sum(-l.amount) FILTER (WHERE l.kind = 'transfer_price' AND l.amount < 0), 0) AS bought,
       COALESCE(sum(l.amount) FILTER (WHERE l.kind = 'sale'), 0) AS sold,
       COALESCE(sum(-l.amount) FILTER (WHERE l.kind = 'handling_fee' AND l.amount < 0), 0) AS handling,
       (SELECT COALESCE(sum(p.amount) FILTER (WHERE p.kind = 'platform_fee'), 0) FROM ledger_line p
        WHERE p.entry = x.id) AS platform,
       (SELECT COALESCE(sum(p.amount) FILTER (WHERE p.kind = 'sale'), 0) FROM ledger_line p
        WHERE p.entry = x.id) AS all_sales
FROM ledger_line l JOIN entries x ON x.id = l.entry
WHERE l.dealer = ANY($2::int[])
GROUP BY l.dealer, x.id, x.booked_at
"""


@dataclass
class Month:
    volume: Decimal = ZERO  # goods bought by transfer + goods sold online
    handling_fees: Decimal = ZERO
    platform_fees: Decimal = ZERO  # its share of the orders' platform fee, by its sales in each

    @property
    def fees(self) -> Decimal:
        return self.handling_fees + self.platform_fees


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


async def month_figures(period: str, dealer_ids: list[int],
                        windows: dict[int, tuple[datetime, datetime]] | None = None) -> dict[int, Month]:
    """Each dealer's month; with ``windows``, a dealer's entries booked in its window only."""
    result = {dealer_id: Month() for dealer_id in dealer_ids}
    if not dealer_ids:
        return result
    async with raw_connection() as connection:
        rows = await connection.fetch(_PER_ENTRY, period, dealer_ids)
    for row in rows:
        if windows is not None:
            window = windows.get(row["dealer"])
            if window is None or not window[0] <= row["booked_at"] < window[1]:
                continue
        month = result[row["dealer"]]
        month.volume += row["bought"] + row["sold"]
        month.handling_fees += row["handling"]
        if row["sold"] and row["all_sales"]:
            month.platform_fees += cents(row["platform"] * row["sold"] / row["all_sales"])
    return result


async def stock_rows(dealer_id: int) -> int:
    """Parts the dealer holds (rows with something on hand): its stock's size."""
    async with raw_connection() as connection:
        return await connection.fetchval(
            "SELECT count(*) FROM stock_item WHERE dealer = $1 AND on_hand > 0", dealer_id)
