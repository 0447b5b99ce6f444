"""The network's calendar, defined once: its time zone, weekdays, working hours and working days.

Everything that counts time the way the network works (a transfer's answer deadline, the working
days a part takes to travel, the days a pickup point is open, the month a transaction belongs to)
reads it here. Working days are Monday to Friday except Italian public holidays (the ``holidays``
package: Easter Monday, 25 April, 2 June, 4 October from 2026...); a dealer's own closures (patron
saint, August) are for the routing issue to add here, in :func:`is_working_day`.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from functools import cache
from zoneinfo import ZoneInfo

import holidays

ROME = ZoneInfo("Europe/Rome")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # the keys of opening hours, Monday first
DAY_START = time(8, 0)  # working hours, Rome time
DAY_END = time(18, 0)


def today(now: datetime | None = None) -> date:
    """The date in Rome."""
    return (now or datetime.now(timezone.utc)).astimezone(ROME).date()


@cache
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.Italy(years=year))


def is_working_day(day: date) -> bool:
    """Monday to Friday, not an Italian public holiday."""
    return day.weekday() < 5 and day not in _public_holidays(day.year)


def add_working_days(moment: datetime, days: int) -> datetime:
    """The start of the working day ``days`` working days after ``moment`` (Rome midnight)."""
    day = moment.astimezone(ROME).date()
    while days > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return datetime.combine(day, time(0), tzinfo=ROME)


def add_working_hours(start: datetime, hours: float) -> datetime:
    """``start`` plus ``hours`` of working time (working days, 8-18 Rome time), in UTC.

    A request made at night or at the weekend starts counting at the next opening.
    """
    left = timedelta(hours=hours)
    moment = start.astimezone(ROME)
    while True:
        moment = _next_open(moment)
        closing = moment.replace(hour=DAY_END.hour, minute=0, second=0, microsecond=0)
        if moment + left <= closing:
            return (moment + left).astimezone(timezone.utc)
        left -= closing - moment
        moment = closing


def _next_open(moment: datetime) -> datetime:
    """``moment`` if it is in working hours, else the next opening."""
    while True:
        opening = moment.replace(hour=DAY_START.hour, minute=0, second=0, microsecond=0)
        closing = moment.replace(hour=DAY_END.hour, minute=0, second=0, microsecond=0)
        if is_working_day(moment.date()) and moment < closing:
            return max(moment, opening)
        # On to the next day's opening; built from the date, so DST changes are respected.
        next_day = (moment + timedelta(days=1)).date()
        moment = datetime.combine(next_day, DAY_START, tzinfo=ROME)
