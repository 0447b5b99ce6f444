"""A dealer's own stock: the listing, its aging, and the feed history."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from marketplace.inventory.search_terms import number_or_words
from marketplace.inventory.tables import StockFeed, StockItem
from marketplace.pagination import PER_PAGE, Page

_COLUMNS = (
    StockItem.part.part_number.as_alias("part_number"), StockItem.part.normalized.as_alias("normalized"),
    StockItem.part.description.as_alias("description"), StockItem.on_hand, StockItem.reserved,
    StockItem.transfer_price, StockItem.unit_cost, StockItem.last_movement_date, StockItem.shared,
    StockItem.updated_at,
)


async def own_stock(dealer_id: int, q: str = "", page: int = 1, per_page: int = PER_PAGE) -> Page[dict]:
    """The dealer's rows with every column, its private cost included, by part number."""
    where = StockItem.dealer == dealer_id
    if q.strip():
        where &= number_or_words(q, StockItem.part.normalized, StockItem.part.description)
    total = await StockItem.count().where(where)
    rows = await (
        StockItem.select(*_COLUMNS).where(where).order_by(StockItem.part.normalized)
        .limit(per_page).offset((page - 1) * per_page)
    )
    for row in rows:
        row["available"] = max(row["on_hand"] - row["reserved"], 0)
    return Page(items=rows, total=total, page=page, per_page=per_page)


@dataclass(frozen=True, slots=True)
class AgingBucket:
    key: str  # "0-6", "6-12", "12+", "unknown"
    rows: int
    units: int
    value_at_cost: Decimal


_AGING = """
SELECT CASE
         WHEN last_movement_date IS NULL THEN 'unknown'
         WHEN last_movement_date >= CURRENT_DATE - interval '6 months' THEN '0-6'
         WHEN last_movement_date >= CURRENT_DATE - interval '12 months' THEN '6-12'
         ELSE '12+'
       END AS key,
       count(*) AS rows, sum(on_hand) AS units, COALESCE(sum(on_hand * unit_cost), 0) AS value
FROM stock_item WHERE dealer = {} AND on_hand > 0
GROUP BY 1
"""
AGING_KEYS = ("0-6", "6-12", "12+", "unknown")


async def aging(dealer_id: int) -> list[AgingBucket]:
    """Stock on hand by months since its last movement: count and value at the dealer's cost."""
    found = {r["key"]: r for r in await StockItem.raw(_AGING, dealer_id)}
    return [
        AgingBucket(key, found[key]["rows"], found[key]["units"], Decimal(found[key]["value"]).quantize(Decimal("0.01")))
        if key in found else AgingBucket(key, 0, 0, Decimal("0.00"))
        for key in AGING_KEYS
    ]


async def feed_history(dealer_id: int, limit: int = 20) -> list[dict]:
    return await (
        StockFeed.select(
            StockFeed.id, StockFeed.mode, StockFeed.source, StockFeed.received_at, StockFeed.applied,
            StockFeed.lines_read, StockFeed.lines_applied, StockFeed.lines_rejected, StockFeed.error,
            StockFeed.duration_ms,
        )
        .where(StockFeed.dealer == dealer_id)
        .order_by(StockFeed.received_at, ascending=False)
        .limit(limit)
    )


async def get_feed(feed_id: int, dealer_id: int | None) -> dict | None:
    """One feed record; a dealer sees only its own (``dealer_id``), a manager any (None)."""
    query = StockFeed.select().where(StockFeed.id == feed_id).output(load_json=True)
    if dealer_id is not None:
        query = query.where(StockFeed.dealer == dealer_id)
    return await query.first()
