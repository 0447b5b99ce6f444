"""Ready times: opening hours, preparation time, transfer days."""

from datetime import datetime
from zoneinfo import ZoneInfo

from marketplace.pickup.readiness import add_working_days, ready_at

ROME = ZoneInfo("Europe/Rome")
HOURS = {day: [["08:30", "12:30"], ["14:30", "19:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
HOURS["sat"] = [["08:30", "12:30"]]


def at(*args):
    return datetime(*args, tzinfo=ROME)


def test_ready_within_the_same_opening():
    assert ready_at(HOURS, 60, at(2026, 11, 27, 9, 0)) == at(2026, 11, 27, 10, 0)  # Friday morning


def test_preparation_runs_only_while_open():
    assert ready_at(HOURS, 60, at(2026, 11, 27, 12, 0)) == at(2026, 11, 27, 15, 0)  # 30 min before, 30 after lunch
    assert ready_at(HOURS, 60, at(2026, 11, 27, 18, 30)) == at(2026, 11, 28, 9, 0)  # Friday evening -> Saturday
    assert ready_at(HOURS, 60, at(2026, 11, 28, 13, 0)) == at(2026, 11, 30, 9, 30)  # Saturday afternoon -> Monday


def test_a_point_that_never_opens_is_never_ready():
    assert ready_at({}, 30, at(2026, 11, 27, 9, 0)) is None


def test_working_days_skip_the_weekend():
    assert add_working_days(at(2026, 11, 27, 16, 0), 1) == at(2026, 11, 30, 0, 0)  # Friday + 1 = Monday
    assert add_working_days(at(2026, 11, 25, 10, 0), 2) == at(2026, 11, 27, 0, 0)
