"""Working hours: the clock a transfer request's answer is due by."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

ROME = ZoneInfo("Europe/Rome")
DAY_START = time(8, 0)
DAY_END = time(18, 0)


def add_working_hours(start: datetime, hours: float) -> datetime:
    """``start`` plus ``hours`` of working time (Monday to Friday, 8-18 Rome time), in UTC.

    A request made at night or at the weekend starts counting at the next opening. Public
    holidays are not known yet and count as working days.
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
        if moment.weekday() < 5 and moment < closing:
            return max(moment, opening)
        # On to the next day's opening; built from the date, so DST changes are respected.
        next_day = (moment + timedelta(days=1)).date()
        moment = datetime.combine(next_day, DAY_START, tzinfo=ROME)
