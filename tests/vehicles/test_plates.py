"""The plate provider interface with a fake provider: answers, the 60-day cache, the 3 s fallback."""

from __future__ import annotations

import asyncio

import pytest

from marketplace.db import raw_connection
from marketplace.errors import Invalid
from marketplace.vehicles import plates
from marketplace.vehicles.plates import PlateUnavailable, TargaCoIt, _vin_in, looks_like_plate, lookup_plate
from tests.vehicles.catalog import GOLF


class FakePlates:
    """A plate service in memory (tests only): ``answers`` plate -> VIN; ``delay`` seconds per call."""

    name = "fake"

    def __init__(self, answers: dict[str, str | None], delay: float = 0.0, fail: bool = False) -> None:
        self.answers, self.delay, self.fail, self.calls = answers, delay, fail, []

    async def vin_of(self, plate: str) -> str | None:
        self.calls.append(plate)
        await asyncio.sleep(self.delay)
        if self.fail:
            raise PlateUnavailable("quota exceeded")
        return self.answers.get(plate)


async def test_a_plate_gives_its_vin_and_is_remembered_without_asking_again():
    fake = FakePlates({"GA123BC": GOLF})
    answer = await lookup_plate("ga 123 bc", fake)
    assert (answer.status, answer.vin, answer.cached) == ("found", GOLF, False)
    again = await lookup_plate("GA-123-BC", fake)
    assert (again.status, again.vin, again.cached) == ("found", GOLF, True)
    assert fake.calls == ["GA123BC"]
    async with raw_connection() as connection:
        row = await connection.fetchrow("SELECT * FROM vehicle_plate_lookup")
    # Plate, VIN, provider and time only: no owner data is kept.
    assert set(dict(row)) == {"id", "plate", "vin", "provider", "looked_up_at"}


async def test_an_answer_older_than_60_days_is_asked_again():
    fake = FakePlates({"GA123BC": GOLF})
    await lookup_plate("GA123BC", fake)
    async with raw_connection() as connection:
        await connection.execute("UPDATE vehicle_plate_lookup SET looked_up_at = now() - interval '61 days'")
    assert (await lookup_plate("GA123BC", fake)).cached is False
    assert fake.calls == ["GA123BC", "GA123BC"]


async def test_an_unknown_plate_is_remembered_as_unknown():
    fake = FakePlates({})
    assert (await lookup_plate("ZZ999ZZ", fake)).status == "unknown"
    assert (await lookup_plate("ZZ999ZZ", fake)).cached


async def test_a_slow_or_failing_service_leaves_the_vin_box_and_is_not_remembered():
    slow = FakePlates({"GA123BC": GOLF}, delay=5)
    started = asyncio.get_running_loop().time()
    answer = await lookup_plate("GA123BC", slow, timeout=0.2)
    assert answer.status == "unavailable" and answer.vin is None
    assert asyncio.get_running_loop().time() - started < 1
    assert (await lookup_plate("GA123BC", FakePlates({}, fail=True))).status == "unavailable"
    async with raw_connection() as connection:
        assert await connection.fetchval("SELECT count(*) FROM vehicle_plate_lookup") == 0
    assert plates.TIMEOUT_SECONDS == 3.0


async def test_without_a_provider_the_plate_search_says_it_is_not_configured(monkeypatch):
    monkeypatch.delenv("MARKETPLACE_PLATE_PROVIDER", raising=False)
    assert plates.configured_provider() is None
    assert (await lookup_plate("GA123BC")).status == "not_configured"
    with pytest.raises(Invalid):
        await lookup_plate("G!")
    monkeypatch.setenv("MARKETPLACE_PLATE_PROVIDER", "targa_co_it")
    monkeypatch.setenv("MARKETPLACE_PLATE_USERNAME", "demo")
    assert isinstance(plates.configured_provider(), TargaCoIt)


def test_the_search_box_tells_a_plate():
    assert looks_like_plate("GA 123 BC") and looks_like_plate("ga123bc")
    assert not looks_like_plate("1K0 615 301 AA") and not looks_like_plate("HU 719/7")


def test_the_targa_co_it_answer_is_read_for_its_vin_only():
    xml = ('<?xml version="1.0" encoding="utf-8"?><Vehicle xmlns="http://regcheck.org.uk">'
           '<vehicleJson>{"Description": "VOLKSWAGEN GOLF", "RegistrationYear": "2021", '
           f'"Vin": "{GOLF}", "Owner": "not kept"}}</vehicleJson></Vehicle>')
    assert _vin_in(xml) == GOLF
    assert _vin_in("<Vehicle><vehicleJson></vehicleJson></Vehicle>") is None
    with pytest.raises(PlateUnavailable):
        _vin_in("not xml")
