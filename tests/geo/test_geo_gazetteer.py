import csv
import time

from marketplace.geo.distance import distance_km
from marketplace.geo.gazetteer import DATA_DIR, Area, Gazetteer, get_gazetteer

MILANO = (45.46824, 9.17322)


def test_loads_fast_and_once():
    start = time.perf_counter()
    Gazetteer()
    assert time.perf_counter() - start < 1.0
    assert get_gazetteer() is get_gazetteer()


def test_postal_code_milano():
    place = get_gazetteer().postal_code(" 20121 ")
    assert place is not None
    assert (place.comune, place.province_code, place.region) == ("Milano", "MI", "Lombardia")
    assert distance_km((place.lat, place.lon), MILANO) < 5


def test_postal_code_roma():
    place = get_gazetteer().postal_code("00184")
    assert place is not None
    assert (place.comune, place.province_code) == ("Roma", "RM")


def test_unknown_postal_code():
    gazetteer = get_gazetteer()
    assert gazetteer.postal_code("99999") is None
    assert not gazetteer.is_postal_code("99999")
    assert not gazetteer.is_postal_code("2012")
    assert gazetteer.is_postal_code("20121")


def test_comune_falls_back_to_place_name():
    # 00011 (Bagni di Tivoli) is a frazione: GeoNames names no comune for it.
    place = get_gazetteer().postal_code("00011")
    assert place is not None and place.comune == place.place


def test_misplaced_geonames_point_uses_the_comune():
    # GeoNames puts 84082 Bracigliano 46 km south of the town.
    gazetteer = get_gazetteer()
    place, comune = gazetteer.postal_code("84082"), gazetteer.comune("Bracigliano")
    assert (place.lat, place.lon) == (comune.lat, comune.lon)


def test_sardinian_postal_code_has_current_province():
    place = get_gazetteer().postal_code("08033")  # Isili: CA in GeoNames, SU since 2016
    assert place.province_code == "SU"
    assert get_gazetteer().locate(place.lat, place.lon).province_code == "SU"


def test_comune_ignores_accents_and_case():
    gazetteer = get_gazetteer()
    for name in ("agliè", "AGLIE", "Aglie'", " aglie "):
        comune = gazetteer.comune(name)
        assert comune is not None and comune.name == "Agliè", name
    assert gazetteer.comune("Reggio nell'Emilia").province_code == "RE"
    assert gazetteer.comune("reggio nell emilia").province_code == "RE"
    assert gazetteer.comune("Reggio Emilia").province_code == "RE"
    assert gazetteer.comune("L'Aquila").province_code == "AQ"
    assert gazetteer.comune("Nowhere at all") is None
    assert gazetteer.comune("") is None


def test_bilingual_names():
    gazetteer = get_gazetteer()
    assert gazetteer.comune("Bozen").name == "Bolzano/Bozen"
    assert gazetteer.comune("Bolzano").name == "Bolzano/Bozen"
    # The source's mis-decoded Slovene names are repaired.
    assert gazetteer.comune("Duino Aurisina").name == "Duino Aurisina-Devin Nabrežina"


def test_comune_prefers_province_then_population():
    gazetteer = get_gazetteer()
    assert gazetteer.comune("Calliano", "AT").province_code == "AT"
    assert gazetteer.comune("Calliano", "tn").province_code == "TN"
    default = gazetteer.comune("Calliano")
    assert default.population == max(c.population for c in gazetteer.comuni_named("Calliano"))
    assert gazetteer.comune("Calliano", "MI") == default  # no Calliano there: still one


def test_comuni_all_in_file_order():
    comuni = get_gazetteer().comuni()
    assert len(comuni) == 7899
    assert comuni[0].name == "Agliè"
    with (DATA_DIR / "it_comuni.csv").open(encoding="utf-8") as f:
        assert [c.istat_code for c in comuni] == [row["istat_code"] for row in csv.DictReader(f)]
    milano = get_gazetteer().comune("Milano")
    assert "20121" in milano.postal_codes and len(milano.postal_codes) > 20


def test_locate_milano():
    area = get_gazetteer().locate(45.4642, 9.19)
    assert area == Area("MI", "Milano", "Lombardia")


def test_locate_outside_italy():
    gazetteer = get_gazetteer()
    assert gazetteer.locate(40.0, 12.0) is None  # Tyrrhenian Sea
    assert gazetteer.locate(48.8566, 2.3522) is None  # Paris


def test_locate_harbour_within_simplified_coast():
    # Genova's CAP 16149 point lies just off the simplified coastline.
    place = get_gazetteer().postal_code("16149")
    assert get_gazetteer().locate(place.lat, place.lon).province_code == "GE"


def test_locate_many_matches_locate():
    gazetteer = get_gazetteer()
    lats, lons = [45.4642, 40.0, 41.9, 40.85], [9.19, 12.0, 12.5, 14.27]
    assert gazetteer.locate_many(lats, lons) == [gazetteer.locate(a, o) for a, o in zip(lats, lons)]
    assert [a and a.province_code for a in gazetteer.locate_many(lats, lons)] == ["MI", None, "RM", "NA"]
    assert gazetteer.locate_many([], []) == []


def test_every_comune_point_is_located():
    gazetteer = get_gazetteer()
    comuni = gazetteer.comuni()
    areas = gazetteer.locate_many([c.lat for c in comuni], [c.lon for c in comuni])
    assert all(areas)
    # Simplified borders shift a handful; nearly all agree with ISTAT.
    assert sum(a.province_code != c.province_code for a, c in zip(areas, comuni)) <= 5


def test_outline_and_provinces():
    gazetteer = get_gazetteer()
    assert len(gazetteer.provinces) == 107
    assert gazetteer.outline.is_valid
    west, south, east, north = gazetteer.outline.bounds
    assert 6.6 < west < 6.7 and 35.4 < south < 35.6 and 18.4 < east < 18.6 and 47.0 < north < 47.2
