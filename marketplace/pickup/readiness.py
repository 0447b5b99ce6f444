"""When a pickup point can have something ready: its opening hours, its preparation time, and
the working days a transfer takes."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ROME = ZoneInfo("Europe/Rome")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HORIZON_DAYS = 21  # a point closed for three weeks is not offered


def _ranges(hours: dict, day: date) -> list[tuple[datetime, datetime]]:
    out = []
    for start, end in hours.get(WEEKDAYS[day.weekday()], []):
        opening = datetime.combine(day, time.fromisoformat(start), tzinfo=ROME)
        closing = (datetime.combine(day + timedelta(days=1), time(0), tzinfo=ROME) if end == "24:00"
                   else datetime.combine(day, time.fromisoformat(end), tzinfo=ROME))
        out.append((opening, closing))
    return out


def ready_at(hours: dict, lead_time_minutes: int, earliest: datetime) -> datetime | None:
    """The first moment, from ``earliest``, when the point is open and the parcel prepared: the
    preparation runs while the store is open (Rome time). None if closed over the horizon."""
    moment = earliest.astimezone(ROME)
    left = timedelta(minutes=lead_time_minutes)
    for offset in range(HORIZON_DAYS):
        day = moment.date() + timedelta(days=offset)
        for opening, closing in _ranges(hours, day):
            start = max(opening, moment)
            if start >= closing:
                continue
            if start + left <= closing:
                return start + left
            left -= closing - start
    return None


def add_working_days(moment: datetime, days: int) -> datetime:
    """The start of the working day (Monday to Friday) ``days`` working days after ``moment``."""
    day = moment.astimezone(ROME).date()
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return datetime.combine(day, time(0), tzinfo=ROME)
