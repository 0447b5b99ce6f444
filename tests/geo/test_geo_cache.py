"""An online geocoder behind the setting: answers cached in the database, failures fall back offline."""

from dataclasses import replace

import pytest
from geopy.exc import GeocoderUnavailable
from geopy.location import Location

import marketplace.geo.geocoder as geocoder
from marketplace.geo.tables import GeocodeCache
from marketplace.settings import get_settings


@pytest.fixture
def online(monkeypatch):
    """Nominatim selected, with a stand-in that counts calls instead of reaching the internet."""
    calls = []

    def answer(query):
        calls.append(query)
        if "nowhere" in query.casefold():
            return None
        return Location("Piazza del Duomo, Milano", (45.4642, 9.1900), {})

    monkeypatch.setattr(geocoder, "get_settings", lambda: replace(get_settings(), geocoder="nominatim"))
    monkeypatch.setattr(geocoder, "_online_geocode", lambda provider, agent: answer)
    return calls


async def test_online_answers_are_cached_in_the_database(online):
    first = await geocoder.geocode_address("Piazza del Duomo 1", "20122", "Milano", "MI")
    again = await geocoder.geocode_address("PIAZZA DEL DUOMO 1", "20122", "Milano", "MI")
    assert (first.lat, first.lon, first.source) == (45.4642, 9.19, "nominatim")
    assert again == first and len(online) == 1
    row = await GeocodeCache.select().first()
    assert row["provider"] == "nominatim" and row["address"] == "Piazza del Duomo, Milano"


async def test_a_miss_is_cached_and_answered_from_the_gazetteer(online):
    point = await geocoder.geocode_address("Via di nowhere 1", "00184", "Roma")
    assert point.source == "offline" and point.comune == "Roma"
    await geocoder.geocode_address("Via di nowhere 1", "00184", "Roma")
    assert len(online) == 1
    assert (await GeocodeCache.select(GeocodeCache.lat).first())["lat"] is None


async def test_an_unavailable_service_is_not_cached(monkeypatch):
    def down(query):
        raise GeocoderUnavailable("no network")

    monkeypatch.setattr(geocoder, "get_settings", lambda: replace(get_settings(), geocoder="nominatim"))
    monkeypatch.setattr(geocoder, "_online_geocode", lambda provider, agent: down)
    point = await geocoder.geocode_address("Via Roma 1", "20121", "Milano")
    assert point.source == "offline" and point.postal_code == "20121"
    assert await GeocodeCache.count() == 0
