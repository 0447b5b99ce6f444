"""Pickup quotes: where a cart can be collected near the customer, and from when."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal

import numpy as np

from marketplace.db import raw_connection
from marketplace.errors import Invalid
from marketplace.geo.distance import geodesic_km_many
from marketplace.geo.gazetteer import get_gazetteer
from marketplace.geo.territory_lookup import owner_of
from marketplace.inventory.normalize import normalize_part_number
from marketplace.pickup.readiness import ROME, add_working_days, ready_at

DEFAULT_RADIUS_KM = 50.0
TRANSFER_DAYS = 2  # working days for a part to come from another dealer (the network's 1-2, at worst)
MAX_LINES = 20


@dataclass(frozen=True, slots=True)
class CartLine:
    part_id: int
    part_number: str
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True, slots=True)
class QuotedPoint:
    pickup_point_id: int
    dealer_code: str
    name: str
    city: str
    distance_km: float
    ready_today: bool
    ready_by: date
    ready_at: datetime
    holds_everything: bool


_ITEM = re.compile(r"^(.+?):(\d{1,5})$")


async def parse_cart(text: str) -> list[CartLine]:
    """``PARTNO:QTY,PARTNO:QTY``: parts sold online only, quantities from 1."""
    items = [item.strip() for item in text.split(",") if item.strip()]
    if not items:
        raise Invalid("give the cart as PARTNO:QTY,PARTNO:QTY", "items")
    if len(items) > MAX_LINES:
        raise Invalid(f"at most {MAX_LINES} lines", "items")
    wanted: dict[str, int] = {}
    for item in items:
        match = _ITEM.match(item)
        if not match or int(match[2]) < 1:
            raise Invalid(f"{item!r} is not PARTNO:QTY with a quantity from 1", "items")
        number = normalize_part_number(match[1])
        wanted[number] = wanted.get(number, 0) + int(match[2])
    return await cart_lines(wanted)


async def cart_lines(wanted: dict[str, int]) -> list[CartLine]:
    """Normalized part numbers and quantities as cart lines: online parts only."""
    async with raw_connection() as connection:
        rows = {r["normalized"]: r for r in await connection.fetch(
            "SELECT id, part_number, normalized, channel, list_price, map_price FROM part"
            " WHERE normalized = ANY($1::text[])", list(wanted))}
    lines = []
    for number, quantity in wanted.items():
        row = rows.get(number)
        if row is None:
            raise Invalid(f"no part {number} in the catalog", "items")
        if row["channel"] != "online":
            raise Invalid(f"{row['part_number']} is sold at the counter only, not online", "items")
        # The network's online price: the list price, and never below the minimum advertised price.
        price = max(row["list_price"], row["map_price"] or row["list_price"])
        lines.append(CartLine(row["id"], row["part_number"], quantity, price))
    return lines


def customer_place(postal_code: str | None, lat: float | None, lon: float | None) -> tuple[float, float, str | None]:
    if postal_code:
        place = get_gazetteer().postal_code(postal_code.strip())
        if place is None:
            raise Invalid(f"{postal_code!r} is not an Italian postal code (CAP)", "postal_code")
        return place.lat, place.lon, place.postal_code
    if lat is None or lon is None:
        raise Invalid("give a postal code, or lat and lon", "postal_code")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise Invalid("lat and lon out of range", "lat")
    return lat, lon, None


_POINTS = """
SELECT p.id, p.dealer, d.code, p.name, p.city, p.lat, p.lon, p.opening_hours, p.lead_time_minutes
FROM pickup_point p JOIN dealer d ON d.id = p.dealer
WHERE p.active AND d.active AND p.daily_capacity > 0
"""
_STOCK = """
SELECT dealer, part, on_hand - reserved AS available FROM stock_item
WHERE part = ANY($1::int[]) AND shared AND on_hand > reserved
"""


async def quote(lines: list[CartLine], lat: float, lon: float, postal_code: str | None,
                radius_km: float = DEFAULT_RADIUS_KM, now: datetime | None = None) -> tuple[list[QuotedPoint], int | None]:
    """Points within the radius, nearest first, each with when the whole cart can be ready there;
    and the recommended one: the territory owner's store when it is as early as any, else the
    earliest, then the nearest."""
    now = now or datetime.now(timezone.utc)
    async with raw_connection() as connection:
        points = await connection.fetch(_POINTS)
        stock_rows = await connection.fetch(_STOCK, [line.part_id for line in lines])
    if not points:
        return [], None
    km = geodesic_km_many(lat, lon, np.array([p["lat"] for p in points]), np.array([p["lon"] for p in points]))
    stock: dict[tuple[int, int], int] = {(r["dealer"], r["part"]): r["available"] for r in stock_rows}
    in_network = {line.part_id: sum(v for (_, part), v in stock.items() if part == line.part_id) for line in lines}
    if any(in_network[line.part_id] < line.quantity for line in lines):
        return [], None  # the network cannot fill the cart anywhere
    arrival = add_working_days(now, TRANSFER_DAYS)
    today = now.astimezone(ROME).date()
    quoted = []
    for point, distance in sorted(zip(points, km), key=lambda pair: pair[1]):
        if distance > radius_km:
            continue
        hours = point["opening_hours"]
        hours = json.loads(hours) if isinstance(hours, str) else hours
        holds = all(stock.get((point["dealer"], line.part_id), 0) >= line.quantity for line in lines)
        ready = ready_at(hours, point["lead_time_minutes"], now if holds else arrival)
        if ready is None:
            continue
        quoted.append(QuotedPoint(
            pickup_point_id=point["id"], dealer_code=point["code"], name=point["name"], city=point["city"],
            distance_km=round(float(distance), 1), ready_today=ready.date() == today, ready_by=ready.date(),
            ready_at=ready, holds_everything=holds,
        ))
    if not quoted:
        return [], None
    earliest = min(q.ready_by for q in quoted)
    owner = await owner_of(postal_code=postal_code, point=(lat, lon))
    if owner is not None:
        for q in quoted:
            if q.dealer_code == owner.dealer_code and q.ready_by == earliest:
                return quoted, q.pickup_point_id
    best = min(quoted, key=lambda q: (q.ready_by, q.distance_km))
    return quoted, best.pickup_point_id
