"""When a pickup point can have something ready: its opening hours, its preparation time, the
working days a transfer takes, and its daily capacity."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

from marketplace.calendar import NO_CLOSURES, ROME, WEEKDAYS, Closed

HORIZON_DAYS = 21  # a point closed for three weeks is not offered
CAPACITY_HORIZON_DAYS = 14  # a point full every open day for two weeks is not offered


def _ranges(hours: dict, day: date, closed: Closed = NO_CLOSURES) -> list[tuple[datetime, datetime]]:
    """The point's opening ranges on ``day``: none on a day its dealer is ``closed``."""
    if day in closed:
        return []
    out = []
    for start, end in hours.get(WEEKDAYS[day.weekday()], []):
        opening = datetime.combine(day, time.fromisoformat(start), tzinfo=ROME)
        closing = (datetime.combine(day + timedelta(days=1), time(0), tzinfo=ROME) if end == "24:00"
                   else datetime.combine(day, time.fromisoformat(end), tzinfo=ROME))
        out.append((opening, closing))
    return out


def ready_at(hours: dict, lead_time_minutes: int, earliest: datetime, closed: Closed = NO_CLOSURES) -> datetime | None:
    """The first moment, from ``earliest``, when the point is open and the parcel prepared: the
    preparation runs while the store is open (Rome time), not on its dealer's ``closed`` days.
    None if closed over the horizon."""
    moment = earliest.astimezone(ROME)
    left = timedelta(minutes=lead_time_minutes)
    for offset in range(HORIZON_DAYS):
        day = moment.date() + timedelta(days=offset)
        for opening, closing in _ranges(hours, day, closed):
            start = max(opening, moment)
            if start >= closing:
                continue
            if start + left <= closing:
                return start + left
            left -= closing - start
    return None


def first_day_with_room(hours: dict, ready: datetime, capacity: int, booked: Mapping[date, int],
                        closed: Closed = NO_CLOSURES) -> datetime | None:
    """``ready`` when its day still has room at the point (fewer than ``capacity`` orders promised
    for it in ``booked``), else the first opening of the next day the point opens with room, up to
    CAPACITY_HORIZON_DAYS later: the parcel is prepared by then, it waits for a day the counter
    can take it. None when every one of those days is full."""
    day = ready.astimezone(ROME).date()
    if booked.get(day, 0) < capacity:
        return ready
    for offset in range(1, CAPACITY_HORIZON_DAYS + 1):
        later = day + timedelta(days=offset)
        ranges = _ranges(hours, later, closed)
        if ranges and booked.get(later, 0) < capacity:
            return min(opening for opening, _ in ranges)
    return None


def promised_ready(hours: dict, lead_time_minutes: int, earliest: datetime, capacity: int,
                   booked: Mapping[date, int], closed: Closed = NO_CLOSURES) -> datetime | None:
    """When an order can be promised ready at a point: prepared in its hours from ``earliest``, on
    a day it has room for one more, not on a day its dealer is ``closed`` (quotes and new orders go
    by this one rule)."""
    ready = ready_at(hours, lead_time_minutes, earliest, closed)
    return None if ready is None else first_day_with_room(hours, ready, capacity, booked, closed)
