"""Money, times and opening hours as a message writes them, once in Italian and once in English.

The customer's language is unknown, so every message carries both; this gives each half its own
formats. Times are Rome's, written out in full: an email is read away from the shop's calendar.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel.dates import format_datetime, get_day_names

from marketplace.calendar import ROME, WEEKDAYS
from marketplace.formatting import Formatter


class MailFormat:
    def __init__(self, language: str) -> None:
        self.formatter = Formatter(language)
        self.locale = self.formatter.locale
        self._days = get_day_names("abbreviated", locale=self.locale)

    def money(self, amount: Decimal | str | None) -> str:
        return self.formatter.money(amount)

    def signed(self, value: float | Decimal | None, digits: int = 1) -> str:
        """A change with its sign: "-29,4" / "-29.4"."""
        return self.formatter.signed(value, digits)

    def when(self, value: dt.datetime | None) -> str:
        """e.g. "venerdì 4 dicembre 2026, 18:30" / "Friday 4 December 2026, 18:30"."""
        return "" if value is None else format_datetime(value.astimezone(ROME), "EEEE d MMMM y, HH:mm",
                                                        locale=self.locale)

    def day(self, value: dt.date | None) -> str:
        """e.g. "venerdì 4 dicembre" / "Friday 4 December"."""
        return self.formatter.weekday_date(value)

    def hours(self, opening_hours: dict) -> list[str]:
        """One line per open weekday: "lun 08:30-12:30, 14:30-19:00"; closed days are left out."""
        lines = []
        for index, day in enumerate(WEEKDAYS):
            ranges = opening_hours.get(day) or []
            if ranges:
                lines.append(f"{self._days[index]} " + ", ".join(f"{start}-{end}" for start, end in ranges))
        return lines
