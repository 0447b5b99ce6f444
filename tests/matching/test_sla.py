"""The answer-by time of a transfer request: working hours, Monday to Friday 8-18 Rome."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from marketplace.calendar import add_working_hours

ROME = ZoneInfo("Europe/Rome")


@pytest.mark.parametrize("start, due", [
    ((2026, 11, 27, 10, 0), (2026, 11, 27, 14, 0)),   # Friday morning: same afternoon
    ((2026, 11, 27, 16, 0), (2026, 11, 30, 10, 0)),   # Friday 16:00: two hours left go to Monday
    ((2026, 11, 28, 10, 0), (2026, 11, 30, 12, 0)),   # Saturday: counts from Monday 8:00
    ((2026, 11, 26, 22, 0), (2026, 11, 27, 12, 0)),   # at night: from the next opening
    ((2026, 11, 27, 7, 30), (2026, 11, 27, 12, 0)),   # before opening
    ((2026, 3, 27, 16, 0), (2026, 3, 30, 10, 0)),     # across the switch to summer time
])
def test_working_hours(start, due):
    answer = add_working_hours(datetime(*start, tzinfo=ROME), 4)
    assert answer.astimezone(ROME).replace(tzinfo=None) == datetime(*due)
    assert answer.utcoffset().total_seconds() == 0


def test_a_long_sla_spans_days():
    answer = add_working_hours(datetime(2026, 11, 23, 9, 0, tzinfo=ROME), 24)  # Monday 9:00
    assert answer.astimezone(ROME).replace(tzinfo=None) == datetime(2026, 11, 25, 13, 0)


def test_italian_public_holidays_are_not_working_days():
    from datetime import date

    from marketplace.calendar import add_working_days, is_working_day

    # 4 October is a national holiday from 2026 (a Monday in 2027); 8 December; Easter Monday.
    assert not is_working_day(date(2027, 10, 4)) and not is_working_day(date(2026, 12, 8))
    assert not is_working_day(date(2027, 3, 29)) and is_working_day(date(2026, 12, 9))
    friday = add_working_hours(datetime(2027, 10, 1, 16, 0, tzinfo=ROME), 4)
    assert friday.astimezone(ROME).replace(tzinfo=None) == datetime(2027, 10, 5, 10, 0)  # over the weekend and the 4th
    assert add_working_days(datetime(2026, 12, 7, 9, 0, tzinfo=ROME), 1).date() == date(2026, 12, 9)
