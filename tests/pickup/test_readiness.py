"""Ready times: opening hours, preparation time, transfer days, daily capacity."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from marketplace.calendar import add_working_days
from marketplace.pickup.readiness import CAPACITY_HORIZON_DAYS, first_day_with_room, promised_ready, ready_at

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


def test_a_day_with_room_keeps_its_ready_time():
    ready = at(2026, 11, 27, 10, 0)
    assert first_day_with_room(HOURS, ready, 2, {}) == ready
    assert first_day_with_room(HOURS, ready, 2, {date(2026, 11, 27): 1}) == ready
    assert first_day_with_room(HOURS, ready, 2, {date(2026, 11, 28): 5}) == ready  # another day's orders


def test_a_full_day_moves_to_the_opening_of_the_next_open_day_with_room():
    friday, saturday, monday = date(2026, 11, 27), date(2026, 11, 28), date(2026, 11, 30)
    ready = at(2026, 11, 27, 10, 0)
    assert first_day_with_room(HOURS, ready, 2, {friday: 2}) == at(2026, 11, 28, 8, 30)  # Saturday morning
    assert first_day_with_room(HOURS, ready, 2, {friday: 2, saturday: 3}) == at(2026, 11, 30, 8, 30)  # not Sunday
    assert first_day_with_room(HOURS, ready, 2, {friday: 2, saturday: 2, monday: 2}) == at(2026, 12, 1, 8, 30)


def test_a_point_full_on_every_open_day_of_the_horizon_is_not_offered():
    ready = at(2026, 11, 27, 10, 0)
    full = {date(2026, 11, 27) + timedelta(days=n): 1 for n in range(CAPACITY_HORIZON_DAYS + 1)}
    assert first_day_with_room(HOURS, ready, 1, full) is None
    beyond = date(2026, 11, 27) + timedelta(days=CAPACITY_HORIZON_DAYS + 1)
    assert beyond not in full and first_day_with_room(HOURS, ready, 1, {**full, beyond: 0}) is None  # too far
    last = date(2026, 11, 27) + timedelta(days=CAPACITY_HORIZON_DAYS)  # a Friday: open
    del full[last]
    assert first_day_with_room(HOURS, ready, 1, full) == datetime.combine(last, time(8, 30), tzinfo=ROME)


def test_the_promise_is_the_ready_time_then_the_capacity():
    full_friday = {date(2026, 11, 27): 30}
    assert promised_ready(HOURS, 60, at(2026, 11, 27, 9, 0), 30, {}) == at(2026, 11, 27, 10, 0)
    assert promised_ready(HOURS, 60, at(2026, 11, 27, 9, 0), 30, full_friday) == at(2026, 11, 28, 8, 30)
    assert promised_ready({}, 60, at(2026, 11, 27, 9, 0), 30, {}) is None
