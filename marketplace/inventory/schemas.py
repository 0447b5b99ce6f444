"""Catalog shapes at the API's edge; prices as decimal strings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import msgspec

from marketplace.inventory.catalog import ImportReport


class PartOut(msgspec.Struct):
    part_number: str
    normalized: str
    description: str
    brand: str
    category: str
    list_price: Decimal
    map_price: Decimal | None
    channel: str
    superseded_by: str | None

    @classmethod
    def from_row(cls, row: dict) -> PartOut:
        return cls(**{name: row[name] for name in cls.__struct_fields__})


class PartPage(msgspec.Struct):
    items: list[PartOut]
    total: int
    page: int
    pages: int


class ChainLink(msgspec.Struct):
    part_number: str
    normalized: str


class PartDetail(msgspec.Struct):
    part: PartOut
    chain: list[ChainLink]
    newest: str


class RejectOut(msgspec.Struct):
    line: int
    part_number: str
    reason: str


class ImportReportOut(msgspec.Struct):
    lines_read: int
    lines_applied: int
    created: int
    updated: int
    rejected: list[RejectOut]

    @classmethod
    def from_report(cls, report: ImportReport) -> ImportReportOut:
        return cls(
            lines_read=report.lines_read, lines_applied=report.lines_applied, created=report.created,
            updated=report.updated, rejected=[RejectOut(r.line, r.part_number, r.reason) for r in report.rejected],
        )


class StockRowOut(msgspec.Struct):
    part_number: str
    on_hand: int
    reserved: int
    available: int
    transfer_price: Decimal
    unit_cost: Decimal | None
    last_movement_date: date | None
    shared: bool

    @classmethod
    def from_row(cls, row: dict) -> StockRowOut:
        return cls(**{name: row[name] for name in cls.__struct_fields__})


class StockPage(msgspec.Struct):
    items: list[StockRowOut]
    total: int
    page: int
    pages: int


class ConflictOut(msgspec.Struct):
    part_number: str
    on_hand: int
    reserved: int


class FeedReportOut(msgspec.Struct):
    feed_id: int
    mode: str
    applied: bool
    lines_read: int
    lines_applied: int
    rejected: list[RejectOut]  # the first 1,000; all of them are on the feed's page
    conflicts: list[ConflictOut]
    error: str = ""
    rejected_total: int = 0
    zeroed_rows: int = 0  # rows on hand a full feed zeroed, or would have when refused as a shrink
    zeroed_units: int = 0

    @classmethod
    def from_report(cls, report) -> FeedReportOut:
        return cls(
            feed_id=report.feed_id, mode=report.mode, applied=report.applied, lines_read=report.lines_read,
            lines_applied=report.lines_applied, rejected=[RejectOut(**r) for r in report.rejected],
            conflicts=[ConflictOut(**c) for c in report.conflicts], error=report.error,
            rejected_total=report.rejected_total, zeroed_rows=report.zeroed_rows, zeroed_units=report.zeroed_units,
        )
