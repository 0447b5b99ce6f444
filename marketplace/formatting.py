"""Numbers, money and times as the reader's language writes them; times in Europe/Rome."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_currency, format_decimal

from marketplace.calendar import ROME

_LOCALES = {"it": "it_IT", "en": "en_GB"}


class Formatter:
    def __init__(self, language: str) -> None:
        self.locale = _LOCALES.get(language, "it_IT")

    def money(self, amount: Decimal | str | None) -> str:
        return "" if amount is None else format_currency(Decimal(str(amount)), "EUR", locale=self.locale)

    def number(self, value: float | int | Decimal | None, digits: int = 0) -> str:
        if value is None:
            return ""
        return format_decimal(value, format=f"#,##0.{'0' * digits}" if digits else "#,##0", locale=self.locale)

    def signed(self, value: float | int | Decimal | None, digits: int = 1) -> str:
        """A change with its sign, in the locale's digits: "+3,5" / "-29,4" in Italian."""
        if value is None:
            return ""
        body = f"#,##0.{'0' * digits}" if digits else "#,##0"
        return format_decimal(value, format=f"+{body};-{body}", locale=self.locale)

    def datetime(self, value: dt.datetime | None) -> str:
        return "" if value is None else format_datetime(value.astimezone(ROME), "short", locale=self.locale)

    def date(self, value: dt.date | None) -> str:
        return "" if value is None else format_date(value, "short", locale=self.locale)

    def time(self, value: dt.datetime | None) -> str:
        return "" if value is None else format_time(value.astimezone(ROME), "short", locale=self.locale)

    def weekday_date(self, value: dt.date | None) -> str:
        """A day a customer reads at a glance: "venerdì 27 novembre"."""
        return "" if value is None else format_date(value, "EEEE d MMMM", locale=self.locale)
