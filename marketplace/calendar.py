"""The network's calendar, defined once: its time zone, weekdays, working hours and working days.

Everything that counts time the way the network works (a transfer's answer deadline, the working
days a part takes to travel, the days a pickup point is open, the month a transaction belongs to)
reads it here. Working days are Monday to Friday except Italian public holidays (the ``holidays``
package: Easter Monday, 25 April, 2 June, 4 October from 2026...) and, for one dealer, the days of
its own closure calendar (patron saint, August): every function takes that dealer's ``closed`` days
(:class:`Closures`, loaded by ``network/closures.py``); without them it counts the network's days.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import cache
from zoneinfo import ZoneInfo

import holidays

ROME = ZoneInfo("Europe/Rome")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # the keys of opening hours, Monday first
DAY_START = time(8, 0)  # working hours, Rome time
DAY_END = time(18, 0)


@dataclass(frozen=True, slots=True)
class Closures:
    """A dealer's own closed days, as inclusive date ranges (first day, last day)."""

    ranges: tuple[tuple[date, date], ...] = ()

    def __contains__(self, day: object) -> bool:
        return any(first <= day <= last for first, last in self.ranges)

    def __bool__(self) -> bool:
        return bool(self.ranges)


NO_CLOSURES = Closures()
Closed = Container[date]  # what the functions below accept: Closures, or any set of dates


def today(now: datetime | None = None) -> date:
    """The date in Rome."""
    return (now or datetime.now(timezone.utc)).astimezone(ROME).date()


@cache
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.Italy(years=year))


def is_working_day(day: date, closed: Closed = NO_CLOSURES) -> bool:
    """Monday to Friday, not an Italian public holiday, not one of the dealer's ``closed`` days."""
    return day.weekday() < 5 and day not in _public_holidays(day.year) and day not in closed


def add_working_days(moment: datetime, days: int, closed: Closed = NO_CLOSURES) -> datetime:
    """The start of the working day ``days`` working days after ``moment`` (Rome midnight), days
    ``closed`` at the dealer not counted."""
    day = moment.astimezone(ROME).date()
    while days > 0:
        day += timedelta(days=1)
        if is_working_day(day, closed):
            days -= 1
    return datetime.combine(day, time(0), tzinfo=ROME)


def add_working_hours(start: datetime, hours: float, closed: Closed = NO_CLOSURES) -> datetime:
    """``start`` plus ``hours`` of working time (working days, 8-18 Rome time), in UTC; the days
    ``closed`` at the dealer whose time it is do not count.

    A request made at night or at the weekend starts counting at the next opening.
    """
    left = timedelta(hours=hours)
    moment = start.astimezone(ROME)
    while True:
        moment = _next_open(moment, closed)
        closing = moment.replace(hour=DAY_END.hour, minute=0, second=0, microsecond=0)
        if moment + left <= closing:
            return (moment + left).astimezone(timezone.utc)
        left -= closing - moment
        moment = closing


def add_working_minutes(start: datetime, minutes: int, closed: Closed = NO_CLOSURES) -> datetime:
    """``start`` plus ``minutes`` of working time (see :func:`add_working_hours`)."""
    return add_working_hours(start, minutes / 60, closed)


def _next_open(moment: datetime, closed: Closed = NO_CLOSURES) -> datetime:
    """``moment`` if it is in working hours, else the next opening."""
    while True:
        opening = moment.replace(hour=DAY_START.hour, minute=0, second=0, microsecond=0)
        closing = moment.replace(hour=DAY_END.hour, minute=0, second=0, microsecond=0)
        if is_working_day(moment.date(), closed) and moment < closing:
            return max(moment, opening)
        # On to the next day's opening; built from the date, so DST changes are respected.
        next_day = (moment + timedelta(days=1)).date()
        moment = datetime.combine(next_day, DAY_START, tzinfo=ROME)
