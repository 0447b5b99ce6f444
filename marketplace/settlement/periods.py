"""Settlement periods: calendar months in Rome time, ``YYYY-MM``."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from marketplace.calendar import ROME
from marketplace.errors import Invalid

# fullmatch, ASCII digits only: "$" alone lets "2026-11\n" through, and \d takes any script's digits.
_PERIOD = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])", re.ASCII)


def check_period(period: str) -> str:
    # Years the network can have settled (a far year would overflow the month arithmetic).
    if not isinstance(period, str) or not _PERIOD.fullmatch(period) or not "2000" <= period[:4] <= "2999":
        raise Invalid("a month as YYYY-MM, e.g. 2026-11", "period")
    return period


def period_of(moment: datetime) -> str:
    return moment.astimezone(ROME).strftime("%Y-%m")


def next_period(period: str) -> str:
    year, month = int(period[:4]), int(period[5:])
    return f"{year + month // 12:04d}-{month % 12 + 1:02d}"


def period_bounds(period: str) -> tuple[datetime, datetime]:
    """The first instant of the month and of the next one, in UTC."""
    year, month = int(period[:4]), int(period[5:])
    start = datetime(year, month, 1, tzinfo=ROME)
    following = next_period(period)
    end = datetime(int(following[:4]), int(following[5:]), 1, tzinfo=ROME)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def check_begun(period: str, now: datetime | None = None) -> tuple[datetime, datetime]:
    """``period``'s bounds, refused (naming ``period``) when the month has not begun: no figures yet."""
    start, end = period_bounds(check_period(period))
    if start > (now or datetime.now(timezone.utc)):
        raise Invalid("a month that has begun", "period")
    return start, end
