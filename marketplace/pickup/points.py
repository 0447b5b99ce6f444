"""Pickup points: validation, opening hours, who may edit what."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from marketplace.calendar import WEEKDAYS
from marketplace.errors import Invalid, NotFound
from marketplace.geo.gazetteer import get_gazetteer
from marketplace.geo.geocoder import geocode_address
from marketplace.network.tables import Dealer
from marketplace.pickup.quotes import forget as forget_quoted_points
from marketplace.pickup.tables import PickupModel, PickupPoint

_RANGE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)\s*-\s*([01]?\d|2[0-4]):([0-5]\d)$")


def parse_day(text: str, field: str) -> list[list[str]]:
    """``"08:30-12:30, 14:30-19:00"`` -> ``[["08:30", "12:30"], ["14:30", "19:00"]]``; empty: closed."""
    ranges = []
    for part in (p.strip() for p in text.replace(";", ",").split(",")):
        if not part:
            continue
        match = _RANGE.match(part.replace(".", ":"))
        if not match:
            raise Invalid(f"{part!r} is not a time range like 08:30-12:30", field)
        start, end = f"{match[1].zfill(2)}:{match[2]}", f"{match[3].zfill(2)}:{match[4]}"
        if start >= end:
            raise Invalid(f"{part}: the range must end after it starts", field)
        ranges.append([start, end])
    ranges.sort()
    for (_, end), (start, _) in zip(ranges, ranges[1:]):
        if start < end:
            raise Invalid("the ranges overlap", field)
    return ranges


def hours_as_text(hours: dict) -> dict[str, str]:
    return {f"hours_{day}": ", ".join(f"{a}-{b}" for a, b in hours.get(day, [])) for day in WEEKDAYS}


@dataclass(frozen=True, slots=True)
class Schedule:
    """What a dealer may change on its own points."""

    opening_hours: dict
    lead_time_minutes: int
    daily_capacity: int


@dataclass(frozen=True, slots=True)
class PointInput:
    dealer_code: str
    name: str
    model: str
    postal_code: str
    address: str
    schedule: Schedule
    city: str = ""
    fee_per_parcel: Decimal | None = None
    commission_pct: Decimal | None = None
    active: bool = True


async def _values(data: PointInput) -> dict:
    dealer = await Dealer.select(Dealer.id, Dealer.active).where(Dealer.code == data.dealer_code.strip().upper()).first()
    if dealer is None:
        raise Invalid(f"no dealer with code {data.dealer_code}", "dealer_code")
    name = data.name.strip()
    if not name or len(name) > 200:
        raise Invalid("a name of 1-200 characters is needed", "name")
    if data.model not in PickupModel._value2member_map_:
        raise Invalid(f"unknown model {data.model!r}: use one of {', '.join(m.value for m in PickupModel)}", "model")
    place = get_gazetteer().postal_code(data.postal_code.strip())
    if place is None:
        raise Invalid(f"{data.postal_code!r} is not an Italian postal code (CAP)", "postal_code")
    city = data.city.strip() or place.comune
    point = await geocode_address(data.address.strip(), place.postal_code, city, place.province_code)
    if point is None:  # pragma: no cover - a known CAP always has a point offline
        raise Invalid("this address could not be placed on the map", "address")
    return {
        PickupPoint.dealer: dealer["id"], PickupPoint.name: name, PickupPoint.model: data.model,
        PickupPoint.address: data.address.strip()[:300], PickupPoint.postal_code: place.postal_code,
        PickupPoint.city: city[:120], PickupPoint.lat: point.lat, PickupPoint.lon: point.lon,
        PickupPoint.opening_hours: data.schedule.opening_hours,
        PickupPoint.lead_time_minutes: data.schedule.lead_time_minutes,
        PickupPoint.daily_capacity: data.schedule.daily_capacity, PickupPoint.fee_per_parcel: data.fee_per_parcel,
        PickupPoint.commission_pct: data.commission_pct, PickupPoint.active: data.active,
    }


async def create_point(data: PointInput) -> int:
    values = await _values(data)
    point = PickupPoint(**{column._meta.name: value for column, value in values.items()})
    await point.save()
    forget_quoted_points()
    return point.id


async def update_point(point_id: int, data: PointInput) -> None:
    updated = await PickupPoint.update(await _values(data)).where(PickupPoint.id == point_id).returning(PickupPoint.id)
    forget_quoted_points()
    if not updated:
        raise NotFound(f"no pickup point {point_id}", "point")


async def update_schedule(point_id: int, schedule: Schedule, *, dealer_id: int | None) -> None:
    """Hours, lead time and capacity; a dealer changes only its own points (``dealer_id``)."""
    query = PickupPoint.update({
        PickupPoint.opening_hours: schedule.opening_hours, PickupPoint.lead_time_minutes: schedule.lead_time_minutes,
        PickupPoint.daily_capacity: schedule.daily_capacity,
    }).where(PickupPoint.id == point_id)
    if dealer_id is not None:
        query = query.where(PickupPoint.dealer == dealer_id)
    updated = await query.returning(PickupPoint.id)
    forget_quoted_points()
    if not updated:
        raise NotFound(f"no pickup point {point_id} of yours", "point")


_COLUMNS = (
    PickupPoint.id, PickupPoint.name, PickupPoint.model, PickupPoint.address, PickupPoint.postal_code,
    PickupPoint.city, PickupPoint.lat, PickupPoint.lon, PickupPoint.opening_hours, PickupPoint.lead_time_minutes,
    PickupPoint.daily_capacity, PickupPoint.fee_per_parcel, PickupPoint.commission_pct, PickupPoint.active,
    PickupPoint.dealer.code.as_alias("dealer_code"), PickupPoint.dealer.name.as_alias("dealer_name"),
)


async def get_point(point_id: int, *, dealer_id: int | None = None) -> dict:
    query = PickupPoint.select(*_COLUMNS).where(PickupPoint.id == point_id)
    if dealer_id is not None:
        query = query.where(PickupPoint.dealer == dealer_id)
    row = await query.output(load_json=True).first()
    if row is None:
        raise NotFound(f"no pickup point {point_id}", "point")
    return row


async def list_points(*, dealer_id: int | None = None) -> list[dict]:
    query = PickupPoint.select(*_COLUMNS).order_by(PickupPoint.dealer.code).order_by(PickupPoint.name)
    if dealer_id is not None:
        query = query.where(PickupPoint.dealer == dealer_id)
    return await query.output(load_json=True)


