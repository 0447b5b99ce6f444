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
