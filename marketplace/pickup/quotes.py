"""Pickup quotes: where a cart can be collected near the customer, and from when.

A quote runs for every cart shown, against every pickup point of the network. The points (hours
parsed, coordinates as arrays) are kept in memory; each quote reads only the stock of the dealers
running the points within the radius, and the orders that count against those points' capacity.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal

import numpy as np

from marketplace.caches import Snapshot
from marketplace.calendar import NO_CLOSURES, ROME, Closures, add_working_days
from marketplace.db import raw_connection, read_connection
from marketplace.errors import Invalid
from marketplace.geo.distance import geodesic_km_many, haversine_km_many
from marketplace.geo.gazetteer import get_gazetteer
from marketplace.geo.territory_lookup import owner_of
from marketplace.inventory.availability import available_at, held_whole
from marketplace.inventory.normalize import normalize_part_number
from marketplace.inventory.on_sale import parts_on_sale
from marketplace.network.closures import closures_for
from marketplace.network.directory import DIRECTORY, directory
from marketplace.pickup.readiness import first_day_with_room, ready_at
from marketplace.pickup.storefront import online_discount, online_price

DEFAULT_RADIUS_KM = 50.0
TRANSFER_DAYS = 2  # working days for a part to come from another dealer, when the settings give none
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
    """Normalized part numbers and quantities as priced cart lines: parts on sale online only."""
    async with raw_connection() as connection:
        parts = await parts_on_sale(connection, list(wanted))
    discount = await online_discount()
    return [CartLine(part.id, part.part_number, quantity, online_price(part.list_price, part.map_price, discount))
            for part, quantity in ((parts[number], quantity) for number, quantity in wanted.items())]


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


# --- the pickup points, in memory ---------------------------------------------------------

REFRESH_SECONDS = 10.0
# The great circle is within 0.6% of the WGS84 geodesic anywhere: a sieve this much wider than the
# radius never drops a point the geodesic would keep.
SIEVE_MARGIN = 1.01


@dataclass(frozen=True, slots=True)
class PointInfo:
    id: int
    dealer: int
    code: str
    name: str
    city: str
    hours: dict
    lead_time_minutes: int
    daily_capacity: int


@dataclass(frozen=True)
class PointSnapshot:
    points: list[PointInfo]  # ordered by id
    lat: np.ndarray  # the points' coordinates, in the same order, for vectorized distances
    lon: np.ndarray


_POINTS = """
SELECT p.id, p.dealer, d.code, p.name, p.city, p.lat, p.lon, p.opening_hours, p.lead_time_minutes, p.daily_capacity
FROM pickup_point p JOIN dealer d ON d.id = p.dealer
WHERE p.active AND d.active AND p.daily_capacity > 0
ORDER BY p.id
"""

async def active_points(max_age: float = REFRESH_SECONDS) -> PointSnapshot:
    """Every point a quote may offer (active, its dealer active, some capacity), at most ``max_age``
    seconds old. Every quote looks at every point, and reading and parsing 2,000 of them cost more
    than the rest of the quote; a change made in this process applies at once (a point saved:
    :func:`forget`; a dealer switched on or off: the directory's), one made in another process
    within ``max_age``."""
    return await POINTS.get(max_age)


def forget() -> None:
    """Drop the remembered points: called whenever a pickup point is saved."""
    POINTS.forget()


async def _load_points() -> PointSnapshot:
    async with raw_connection() as connection:
        rows = await connection.fetch(_POINTS)
    parsed: dict[str, dict] = {}  # most points keep the same hours: parse each text once
    points = []
    for row in rows:
        text = row["opening_hours"]
        if not isinstance(text, str):
            text = json.dumps(text, sort_keys=True)
        hours = parsed.setdefault(text, json.loads(text))
        points.append(PointInfo(row["id"], row["dealer"], row["code"], row["name"], row["city"], hours,
                                row["lead_time_minutes"], row["daily_capacity"]))
    return PointSnapshot(points, np.array([r["lat"] for r in rows], dtype=float),
                         np.array([r["lon"] for r in rows], dtype=float))


POINTS: Snapshot[PointSnapshot] = Snapshot("pickup_points", _load_points, REFRESH_SECONDS, depends_on=[DIRECTORY])


def within(snapshot: PointSnapshot, lat: float, lon: float, radius_km: float) -> tuple[np.ndarray, np.ndarray]:
    """Indexes of the points within ``radius_km`` (WGS84 geodesic), nearest first, ties by id, and
    their distances. The great circle sieves all of them first, so the exact geodesic (what the
    customer reads) is computed for the few dozen near, not for 2,000."""
    rough = haversine_km_many(lat, lon, snapshot.lat, snapshot.lon)
    near = np.flatnonzero(rough <= radius_km * SIEVE_MARGIN + 0.5)
    km = geodesic_km_many(lat, lon, snapshot.lat[near], snapshot.lon[near])
    keep = km <= radius_km
    near, km = near[keep], km[keep]
    order = np.argsort(km, kind="stable")
    return near[order], km[order]


# --- stock and capacity near the customer --------------------------------------------------

# An index-only scan of customer_order_promised (pickup_point, promised_for) WHERE live.
_BOOKED = """
SELECT pickup_point, promised_for, count(*) AS orders FROM customer_order
WHERE pickup_point = ANY($1::int[]) AND promised_for >= $2 AND status IN ('unconfirmed', 'placed', 'ready_for_pickup')
GROUP BY pickup_point, promised_for HAVING count(*) >= $3
"""


async def _stock(connection, lines: list[CartLine], dealers: set[int]) -> dict[tuple[int, int], int]:
    """Shared units free per (dealer, part), for the cart's parts at the given dealers only."""
    return await available_at(connection, list(dealers), [line.part_id for line in lines])


async def _network_can_fill(connection, lines: list[CartLine], stock: dict[tuple[int, int], int]) -> bool:
    """Whether every line is held whole by some dealer of the network. A line that one nearby
    dealer holds whole needs no query: with popular parts, none is sent."""
    held: dict[int, int] = {}
    for (_, part), available in stock.items():
        held[part] = max(held.get(part, 0), available)
    open_lines = [line for line in lines if held.get(line.part_id, 0) < line.quantity]
    if not open_lines:
        return True
    return await held_whole(connection, [(line.part_id, line.quantity) for line in open_lines])


async def transfer_days() -> int:
    """The network's working days for a part to come from another dealer (its settings, as the
    dealer directory's snapshot holds them)."""
    return (await directory()).rules.transfer_days or TRANSFER_DAYS


async def booked_days(connection, point_ids: list[int], since: date, at_least: int) -> dict[int, dict[date, int]]:
    """Live orders (placed or ready) per point and promised day, from ``since``: what the points'
    daily capacities count. Only days with ``at_least`` orders (the smallest capacity among the
    points): no other day can be full, and near a city that leaves 30 rows of 1,200."""
    booked: dict[int, dict[date, int]] = {}
    for row in await connection.fetch(_BOOKED, point_ids, since, at_least):
        booked.setdefault(row["pickup_point"], {})[row["promised_for"]] = row["orders"]
    return booked


# --- the quote -------------------------------------------------------------------------------

class _Preparation:
    """When a point's parcel is prepared (:func:`ready_at`, before capacity), from now when its
    dealer holds the cart, else from the transfers' arrival. Remembered per (hours, lead time)
    within one quote: most points share them, and a city quote asks 250 points."""

    def __init__(self, now: datetime, arrival: datetime) -> None:
        self._start = {True: now, False: arrival}
        self._known: dict[tuple[int, int, bool], datetime | None] = {}

    def ready(self, point: PointInfo, holds: bool, closed: Closures = NO_CLOSURES) -> datetime | None:
        # The snapshot keeps each hours dict alive; a dealer's own closures make its point its own case.
        key = (id(point.hours), point.lead_time_minutes, holds, point.dealer if closed else None)
        if key not in self._known:
            self._known[key] = ready_at(point.hours, point.lead_time_minutes, self._start[holds], closed)
        return self._known[key]


async def quote(lines: list[CartLine], lat: float, lon: float, postal_code: str | None,
                radius_km: float = DEFAULT_RADIUS_KM, now: datetime | None = None) -> tuple[list[QuotedPoint], int | None]:
    """Points within the radius, nearest first, each with when the whole cart can be ready there
    (a point whose day is full moves to its next open day with room); and the recommended one: the
    territory owner's store when it is as early as any, else the earliest, then the nearest."""
    now = now or datetime.now(timezone.utc)
    today = now.astimezone(ROME).date()
    snapshot = await active_points()
    near, km = within(snapshot, lat, lon, radius_km)
    if not len(near):
        return [], None
    points = [snapshot.points[i] for i in near.tolist()]
    async with read_connection() as connection:  # a quote, not a reservation: a replica may answer
        stock = await _stock(connection, lines, {p.dealer for p in points})
        if not await _network_can_fill(connection, lines, stock):
            return [], None  # the network cannot fill the cart anywhere
        booked = await booked_days(connection, [p.id for p in points], today, min(p.daily_capacity for p in points))
        closed = await closures_for(connection, {p.dealer for p in points})
    prepared = _Preparation(now, add_working_days(now, await transfer_days()))
    quoted = []
    for point, distance in zip(points, km.tolist()):
        holds = all(stock.get((point.dealer, line.part_id), 0) >= line.quantity for line in lines)
        shut = closed.get(point.dealer, NO_CLOSURES)
        ready = prepared.ready(point, holds, shut)
        if ready is not None:
            ready = first_day_with_room(point.hours, ready, point.daily_capacity, booked.get(point.id, {}), shut)
        if ready is None:
            continue
        quoted.append(QuotedPoint(
            pickup_point_id=point.id, dealer_code=point.code, name=point.name, city=point.city,
            distance_km=round(distance, 1), ready_today=ready.date() == today, ready_by=ready.date(),
            ready_at=ready, holds_everything=holds,
        ))
    if not quoted:
        return [], None
    return quoted, await _recommended(quoted, lat, lon, postal_code)


async def _recommended(quoted: list[QuotedPoint], lat: float, lon: float, postal_code: str | None) -> int:
    """The territory owner's store when it is as early as any (orders from a territory go to its
    owner), else the earliest, then the nearest."""
    earliest = min(q.ready_by for q in quoted)
    owner = await owner_of(postal_code=postal_code, point=(lat, lon))
    if owner is not None:
        for q in quoted:
            if q.dealer_code == owner.dealer_code and q.ready_by == earliest:
                return q.pickup_point_id
    return min(quoted, key=lambda q: (q.ready_by, q.distance_km)).pickup_point_id
