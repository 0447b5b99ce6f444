"""The synthetic network generator: determinism, geography, catalog shape, supersession chains."""

from __future__ import annotations

import math
import re
from collections import Counter
from decimal import Decimal
from functools import cache

import pytest

from marketplace.geo.gazetteer import Comune, get_gazetteer
from marketplace.seed_data import (
    DealerSeed,
    NetworkSeed,
    PartSeed,
    generate_dealers,
    generate_network,
    generate_parts,
    normalize_part_number,
)

CATEGORIES = {
    "freni", "filtri", "motore", "sospensioni", "elettrico", "carrozzeria", "trasmissione",
    "climatizzazione", "illuminazione", "accessori",
}  # fmt: skip
# Each brand's number style, as printed.
STYLES = {
    "vag": re.compile(r"[0-9A-Z]{3} \d{3} \d{3}( [A-Z]{1,2})?"),
    "stellantis": re.compile(r"\d{8,10}"),
    "ford": re.compile(r"\d \d{3} \d{3}|[A-Z0-9]{4}-[A-Z0-9]{4,6}-[A-Z]{2}"),
    "bosch": re.compile(r"[0-9F] \d{3} \d{3} \d{3}"),
    "brembo": re.compile(r"09\.[A-Z]\d{3}\.\d{2}|P \d{2} \d{3}"),
    "mann": re.compile(r"[A-Z]{1,3} (\d{2} )?\d{3,4}(/\d{1,2})?( X)?"),
    "digits": re.compile(r"\d{6}|\d{3} \d{3}|3000 \d{3} \d{3}"),
}
BRAND_STYLE = {
    "Volkswagen": "vag", "Audi": "vag", "Skoda": "vag", "Seat": "vag", "Cupra": "vag",
    "Fiat": "stellantis", "Alfa Romeo": "stellantis", "Lancia": "stellantis", "Peugeot": "stellantis",
    "Ford": "ford", "Bosch": "bosch", "Brembo": "brembo", "Mann-Filter": "mann",
    "Valeo": "digits", "Sachs": "digits",
}  # fmt: skip


@cache
def network(dealers: int = 300, parts: int = 20_000, seed: int = 1) -> NetworkSeed:
    return generate_network(dealers, parts, seed)


@cache
def comuni_by_place() -> dict[tuple[str, str], Comune]:
    return {(c.name, c.province_code): c for c in get_gazetteer().comuni()}


def km_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def chains(parts: tuple[PartSeed, ...]) -> list[list[PartSeed]]:
    """Every supersession chain, oldest part first."""
    by_number = {p.part_number: p for p in parts}
    targets = {p.superseded_by for p in parts if p.superseded_by}
    found = []
    for head in parts:
        if head.superseded_by is None or head.part_number in targets:
            continue
        chain = [head]
        while chain[-1].superseded_by is not None:
            chain.append(by_number[chain[-1].superseded_by])
            assert len(chain) <= len(parts), "supersession cycle"
        found.append(chain)
    return found


# --- determinism and counts -----------------------------------------------------------------------


def test_same_arguments_give_identical_output() -> None:
    assert generate_network(300, 5_000, seed=7) == generate_network(300, 5_000, seed=7)


def test_a_different_seed_gives_a_different_network() -> None:
    one, other = generate_network(50, 2_000, seed=1), generate_network(50, 2_000, seed=2)
    assert one.dealers != other.dealers
    assert [p.part_number for p in one.parts] != [p.part_number for p in other.parts]


def test_dealers_and_parts_use_separate_random_streams() -> None:
    # Growing the network keeps the catalog, and the first dealers, as they were.
    small, large = generate_network(10, 1_000), generate_network(40, 1_000)
    assert small.parts == large.parts
    assert small.dealers[0] == large.dealers[0]


@pytest.mark.parametrize(("dealers", "parts"), [(0, 0), (1, 1), (7, 13), (300, 20_000)])
def test_counts(dealers: int, parts: int) -> None:
    seed = network(dealers, parts)
    assert len(seed.dealers) == dealers
    assert len(seed.parts) == parts


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError):
        generate_dealers(-1)
    with pytest.raises(ValueError):
        generate_parts(-1)


def test_full_size_network_is_generated() -> None:
    # Performance sanity without a timing assertion: the benchmark size completes and stays valid.
    seed = network(2_000, 200_000)
    assert len(seed.dealers) == 2_000
    assert len({normalize_part_number(p.part_number) for p in seed.parts}) == 200_000
    assert seed.dealers[-1].code == "D2000"


# --- dealers --------------------------------------------------------------------------------------


def test_first_dealer_is_the_central_warehouse() -> None:
    first, *others = network().dealers
    assert first.is_central_warehouse
    assert first.code == "D0001"
    assert "Magazzino Centrale" in first.name
    assert (first.city, first.province) == ("Verona", "VR")
    assert first.tier == "distributor"
    assert not any(d.is_central_warehouse for d in others)


def test_dealer_codes_are_sequential_and_zero_padded() -> None:
    codes = [d.code for d in network().dealers]
    assert codes == [f"D{n:04d}" for n in range(1, 301)]
    assert generate_dealers(3)[2].code == "D0003"


def test_dealers_are_at_real_comuni_with_one_of_their_postal_codes() -> None:
    places = comuni_by_place()
    for dealer in network(2_000, 0).dealers:
        comune = places[(dealer.city, dealer.province)]
        assert dealer.postal_code in comune.postal_codes


def test_dealers_are_within_two_km_of_their_comune_on_land_in_its_province() -> None:
    places, gazetteer = comuni_by_place(), get_gazetteer()
    for dealer in network(2_000, 0).dealers:
        comune = places[(dealer.city, dealer.province)]
        assert km_between(dealer.lat, dealer.lon, comune.lat, comune.lon) <= 2.01
        if (dealer.lat, dealer.lon) != (comune.lat, comune.lon):  # the fallback is the comune's own point
            area = gazetteer.locate(dealer.lat, dealer.lon)
            assert area is not None and area.province_code == dealer.province


def test_dealers_in_one_city_are_distinct_points() -> None:
    points = Counter((d.city, d.lat, d.lon) for d in network(2_000, 0).dealers)
    assert points.most_common(1)[0][1] == 1


def test_big_cities_get_several_dealers() -> None:
    cities = Counter(d.city for d in network().dealers)
    assert cities["Roma"] > 1
    assert cities["Milano"] > 1
    # Roma has twice Milano's people and Milano four times Firenze's: with 2,000 dealers the order holds.
    cities = Counter(d.city for d in network(2_000, 0).dealers)
    assert cities["Roma"] > cities["Milano"] > cities["Firenze"]


def test_tiers_follow_population() -> None:
    places = comuni_by_place()
    dealers = network(2_000, 0).dealers[1:]
    tiers = Counter(d.tier for d in dealers)
    assert set(tiers) == {"provincial", "urban", "distributor", "new"}
    assert 0.015 < tiers["distributor"] / len(dealers) < 0.045
    assert 0.035 < tiers["new"] / len(dealers) < 0.065
    for dealer in dealers:
        population = places[(dealer.city, dealer.province)].population
        if dealer.tier == "provincial":
            assert population < 30_000
        elif dealer.tier == "urban":
            assert population >= 30_000


def test_dealer_names_and_addresses_look_italian() -> None:
    dealers = network(2_000, 0).dealers
    assert len({d.name for d in dealers}) == len(dealers)
    for dealer in dealers:
        assert re.fullmatch(r"(Via|Viale|Corso) \S.* \d{1,3}(/[ABC])?", dealer.address), dealer.address
        assert re.fullmatch(r"\d{5}", dealer.postal_code)
        assert len(dealer.name) <= 200 and len(dealer.province) == 2


def test_dealers_can_be_placed_in_given_comuni() -> None:
    comuni = [
        Comune("001", "Grande", "AA", "Alfa", "Regione", 45.0, 9.0, 1_000_000, ("10100", "10121")),
        Comune("002", "Senza CAP", "AA", "Alfa", "Regione", 45.1, 9.1, 5_000_000, ()),
        Comune("003", "Piccolo", "BB", "Beta", "Regione", 44.0, 10.0, 1_000, ("20010",)),
    ]
    dealers = generate_dealers(50, comuni=comuni)
    assert {d.city for d in dealers} <= {"Grande", "Piccolo"}
    assert dealers[0].is_central_warehouse and dealers[0].city == "Grande"  # no Verona: the biggest
    # "10100" is the city's generic code: streets use the district one.
    assert {d.postal_code for d in dealers if d.city == "Grande"} == {"10121"}


# --- parts ----------------------------------------------------------------------------------------


def test_normalize_part_number() -> None:
    assert normalize_part_number("1k0 615-301.aa/") == "1K0615301AA"
    assert normalize_part_number("HU 719/7 X") == "HU7197X"


def test_part_numbers_are_unique_after_normalization() -> None:
    parts = network().parts
    assert len({normalize_part_number(p.part_number) for p in parts}) == len(parts)


def test_part_numbers_follow_their_brand_style() -> None:
    parts = network().parts
    for part in parts:
        style = BRAND_STYLE[part.brand]
        assert STYLES[style].fullmatch(part.part_number), (part.brand, part.part_number)
        assert len(part.part_number) <= 64
    # Several styles, mixed: every brand shows up in a 20,000-part catalog.
    assert {p.brand for p in parts} == set(BRAND_STYLE)


def test_categories_and_descriptions() -> None:
    parts = network().parts
    assert {p.category for p in parts} == CATEGORIES
    assert {p.category for p in parts if p.brand == "Mann-Filter"} == {"filtri"}
    assert {p.category for p in parts if p.brand == "Brembo"} == {"freni"}
    descriptions = {p.description for p in parts}
    assert "Filtro olio" in descriptions and "Pastiglie freno anteriori" in descriptions
    with_hint = sum(" per " in p.description for p in parts) / len(parts)
    assert 0.2 < with_hint < 0.5


def test_prices_are_decimal_cents_in_range() -> None:
    parts = network().parts
    for part in parts:
        assert isinstance(part.list_price, Decimal)
        assert part.list_price.as_tuple().exponent == -2
        assert Decimal("1.00") <= part.list_price <= Decimal("3000.00")
    prices = [p.list_price for p in parts]
    typical = sum(Decimal(5) <= p <= Decimal(300) for p in prices) / len(prices)
    assert typical > 0.7
    assert any(p > Decimal(1_000) for p in prices)


def test_map_price_is_85_to_95_percent_of_list_for_about_40_percent() -> None:
    parts = network().parts
    with_map = [p for p in parts if p.map_price is not None]
    assert 0.35 < len(with_map) / len(parts) < 0.45
    for part in with_map:
        assert isinstance(part.map_price, Decimal)
        assert part.map_price.as_tuple().exponent == -2
        lowest = (part.list_price * Decimal("0.85")).quantize(Decimal("0.01"))
        highest = (part.list_price * Decimal("0.95")).quantize(Decimal("0.01"))
        assert lowest <= part.map_price <= highest


def test_channels() -> None:
    parts = network().parts
    assert {p.channel for p in parts} == {"online", "physical_only"}
    share = sum(p.channel == "physical_only" for p in parts) / len(parts)
    assert 0.15 < share < 0.25

    def physical_share(words: str) -> float:
        matching = [p for p in parts if p.description.startswith(words)]
        return sum(p.channel == "physical_only" for p in matching) / len(matching)

    assert physical_share("Paraurti") > 0.5
    assert physical_share("Modulo airbag") > 0.5
    assert physical_share("Filtro olio") < 0.3


def test_popularity_is_skewed_within_zero_and_one() -> None:
    popularity = sorted((p.popularity for p in network().parts), reverse=True)
    assert popularity[0] == 1.0
    assert all(0.0 < value <= 1.0 for value in popularity)
    # Zipf-like: the top 1% of parts hold a large share of all the demand.
    assert sum(popularity[: len(popularity) // 100]) > 0.2 * sum(popularity)
    assert popularity[len(popularity) // 2] < 0.01


# --- supersession ---------------------------------------------------------------------------------


def test_supersession_targets_exist_and_match_brand_and_category() -> None:
    parts = network().parts
    by_number = {p.part_number: p for p in parts}
    superseded = [p for p in parts if p.superseded_by is not None]
    assert 0.04 < len(superseded) / len(parts) < 0.06
    for part in superseded:
        replacement = by_number[part.superseded_by]
        assert replacement is not part
        assert (replacement.brand, replacement.category) == (part.brand, part.category)
        assert replacement.description == part.description  # the same component, renumbered


def test_supersessions_form_chains_of_two_to_four_without_cycles() -> None:
    parts = network().parts
    targets = Counter(p.superseded_by for p in parts if p.superseded_by)
    assert max(targets.values()) == 1  # chains, not trees
    found = chains(parts)
    lengths = Counter(len(chain) for chain in found)
    assert set(lengths) <= {2, 3, 4}
    assert {2, 3, 4} <= set(lengths)
    # Every superseded part sits on some chain: nothing is left over in a loop.
    assert sum(len(chain) - 1 for chain in found) == sum(targets.values())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_small_catalogs_keep_chains_valid(seed: int) -> None:
    parts = generate_parts(60, seed)
    by_number = {p.part_number: p for p in parts}
    for chain in chains(parts):
        assert 2 <= len(chain) <= 4
        assert all(p.superseded_by in by_number for p in chain[:-1])


def test_dealer_and_part_types() -> None:
    seed = network(3, 3)
    assert all(isinstance(d, DealerSeed) for d in seed.dealers)
    assert all(isinstance(p, PartSeed) for p in seed.parts)
    assert all(isinstance(d.lat, float) and isinstance(d.lon, float) for d in seed.dealers)
