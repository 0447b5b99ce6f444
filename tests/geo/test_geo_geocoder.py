import asyncio

import pytest
from geopy.geocoders import Nominatim
from geopy.location import Location
from geopy.point import Point

from marketplace.geo import geocoder as geocoder_module
from marketplace.geo.distance import distance_km
from marketplace.geo.geocoder import GeoPoint, OfflineGeocoder, build_query, geocode_address, make_geocoder

MILANO = (45.46824, 9.17322)
TORINO = (45.0717, 7.67794)
NAPOLI = (40.85693, 14.23898)


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    # Every geopy request goes through _call_geocoder; the database's sockets stay untouched.
    def refuse(*args, **kwargs):
        raise AssertionError("the offline geocoder went online")

    monkeypatch.setattr("geopy.geocoders.base.Geocoder._call_geocoder", refuse)


def test_constructs_without_arguments():
    assert isinstance(OfflineGeocoder(), OfflineGeocoder)


def test_postal_code_wins():
    location = OfflineGeocoder().geocode("Via Roma 1, 20121 Milano")
    assert isinstance(location, Location)
    assert distance_km(location.point[:2], MILANO) < 5
    assert {k: location.raw[k] for k in ("postal_code", "comune", "province_code", "region", "source")} == {
        "postal_code": "20121",
        "comune": "Milano",
        "province_code": "MI",
        "region": "Lombardia",
        "source": "offline",
    }
    # The CAP beats a contradicting city name.
    assert OfflineGeocoder().geocode("Piazza Duomo, 00184 Milano").raw["comune"] == "Roma"


def test_comune_name():
    location = OfflineGeocoder().geocode("Torino")
    assert distance_km(location.point[:2], TORINO) < 5
    assert location.raw["province_code"] == "TO"
    assert location.raw["postal_code"] is None  # Torino has dozens of CAPs


def test_comune_with_province_code():
    geocoder = OfflineGeocoder()
    assert geocoder.geocode("Milano MI").raw["comune"] == "Milano"
    assert geocoder.geocode("Via Po 3, Calliano (AT), Italia").raw["province_code"] == "AT"
    assert geocoder.geocode("Via Po 3, Calliano TN").raw["province_code"] == "TN"
    assert geocoder.geocode("Calliano, AT").raw["province_code"] == "AT"
    assert geocoder.geocode("Via Garibaldi 3, AGLIE', Italia").raw["comune"] == "Agliè"


def test_unknown_postal_code_falls_back_to_comune():
    location = OfflineGeocoder().geocode("Via Roma 1, 99999 Torino TO")
    assert location.raw["comune"] == "Torino"


def test_nothing_found():
    geocoder = OfflineGeocoder()
    assert geocoder.geocode("Via Roma 1, 99999 Nowhere") is None
    assert geocoder.geocode("") is None
    assert geocoder.geocode("Romano") is None  # not "Roma" in province NO


def test_exactly_one_false_gives_a_list():
    locations = OfflineGeocoder().geocode("Calliano, AT", exactly_one=False)
    assert [loc.raw["province_code"] for loc in locations] == ["AT", "TN"]
    assert len(OfflineGeocoder().geocode("20121", exactly_one=False)) == 1


def test_reverse_naples():
    for query in ("40.8518, 14.2681", (40.8518, 14.2681), Point(40.8518, 14.2681)):
        location = OfflineGeocoder().reverse(query)
        assert location.raw["comune"] == "Napoli"
        assert location.raw["source"] == "offline"
        assert distance_km(location.point[:2], NAPOLI) < 1


def test_reverse_at_sea_or_abroad():
    assert OfflineGeocoder().reverse((40.0, 12.0)) is None
    assert OfflineGeocoder().reverse((48.8566, 2.3522)) is None


def test_reverse_many_nearest_first():
    locations = OfflineGeocoder().reverse((45.0705, 7.6868), exactly_one=False, limit=3)
    assert locations[0].raw["comune"] == "Torino"
    distances = [loc.raw["distance_km"] for loc in locations]
    assert len(locations) == 3 and distances == sorted(distances)


def test_make_geocoder():
    assert isinstance(make_geocoder("offline", "ua"), OfflineGeocoder)
    nominatim = make_geocoder("nominatim", "dealer-marketplace-tests")
    assert isinstance(nominatim, Nominatim)
    assert nominatim.headers["User-Agent"] == "dealer-marketplace-tests"
    with pytest.raises(ValueError, match="'google'"):
        make_geocoder("google", "ua")


def test_build_query():
    assert build_query("Via Roma 1", "20121", "Milano", "MI") == "Via Roma 1, 20121 Milano MI, Italia"
    assert build_query("", " 20121 ", "Milano") == "20121 Milano, Italia"


def test_geocode_address_offline(monkeypatch, tmp_path):
    monkeypatch.setenv("MARKETPLACE_GEOCODER", "offline")
    monkeypatch.setenv("MARKETPLACE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MARKETPLACE_SECRET_KEY", "test")
    settings = geocoder_module.get_settings
    settings.cache_clear()
    try:
        point = asyncio.run(geocode_address("Via Roma 1", "20121", "Milano", "MI"))
        assert point == GeoPoint(45.4643, 9.1895, "20121", "Milano", "MI", "offline")
        assert asyncio.run(geocode_address("Via Roma 1", "", "Agliè", "TO")).comune == "Agliè"
        assert asyncio.run(geocode_address("Via Roma 1", "99999", "Nowhere")) is None
    finally:
        settings.cache_clear()
