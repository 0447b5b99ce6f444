"""A synthetic but plausible dealer network: dealers at real comuni and a spare-parts catalog.

Pure and deterministic: the same arguments always give the same :class:`NetworkSeed`. Dealers and
parts draw from separate random streams, so changing one count leaves the other list unchanged.
Nothing is written anywhere; loading it into the database is the caller's job.
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import accumulate
from typing import TYPE_CHECKING

from marketplace.gc_paused import gc_paused
from marketplace.inventory.normalize import normalize_part_number

if TYPE_CHECKING:
    from marketplace.geo.gazetteer import Comune, Gazetteer

__all__ = [
    "DealerSeed",
    "NetworkSeed",
    "PartSeed",
    "generate_dealers",
    "generate_network",
    "generate_parts",
    "normalize_part_number",
]


@dataclass(frozen=True, slots=True)
class DealerSeed:
    code: str
    name: str
    address: str
    postal_code: str
    city: str
    province: str
    lat: float
    lon: float
    tier: str
    is_central_warehouse: bool


@dataclass(frozen=True, slots=True)
class PartSeed:
    part_number: str
    description: str
    brand: str
    category: str
    list_price: Decimal
    map_price: Decimal | None
    channel: str
    superseded_by: str | None
    popularity: float


@dataclass(frozen=True, slots=True)
class NetworkSeed:
    dealers: tuple[DealerSeed, ...]
    parts: tuple[PartSeed, ...]


def generate_network(dealers: int, parts: int, seed: int = 1) -> NetworkSeed:
    """``dealers`` dealers (the first is the central warehouse) and ``parts`` catalog parts."""
    return NetworkSeed(generate_dealers(dealers, seed), generate_parts(parts, seed))



# --------------------------------------------------------------------------------------------------
# Dealers

JITTER_KM = 2.0
URBAN_POPULATION = 30_000
DISTRIBUTOR_SHARE = 0.03
NEW_SHARE = 0.05
# Interporto Quadrante Europa (Verona) and Interporto Bologna: where an importer keeps its stock.
_WAREHOUSE_COMUNI = (("Verona", "VR"), ("Bologna", "BO"))

_SURNAMES = (
    "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino",
    "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo",
    "Lombardi", "Moretti", "Barbieri", "Fontana", "Santoro", "Mariani", "Rinaldi", "Caruso",
    "Ferrara", "Galli", "Martini", "Leone", "Longo", "Gentile", "Martinelli", "Vitale", "Lombardo",
    "Serra", "Coppola", "De Santis", "D'Angelo", "Marchetti", "Parisi", "Villa", "Conte",
    "Ferraro", "Ferri", "Fabbri", "Bianco", "Marini", "Grasso", "Valentini", "Messina", "Sala",
    "De Angelis", "Gatti", "Pellegrini", "Palumbo", "Sanna", "Farina", "Rizzi", "Monti",
    "Cattaneo", "Morelli", "Amato", "Silvestri", "Mazza", "Testa", "Grassi", "Pellegrino",
    "Carbone", "Giuliani", "Benedetti", "Barone", "Rossetti", "Caputo", "Montanari", "Guerra",
    "Palmieri", "Bernardi", "Martino", "Fiore", "De Rosa", "Ferretti", "Bellini", "Basile",
    "Riva", "Donati", "Piras", "Vitali", "Battaglia", "Sartori", "Neri", "Costantini", "Milani",
    "Pagano", "Ruggiero", "Sorrentino", "D'Amico", "Orlando", "Negri", "Zanetti",
    "Bassi", "Fumagalli", "Colonna", "Brambilla", "Pace", "Tedesco", "Zanella", "Bertolini",
)  # fmt: skip
_DEALER_NAMES = (
    "Autoricambi {surname}",
    "Officina {surname} & Figli",
    "Ricambi Auto {city}",
    "{surname} Motors Srl",
    "Autofficina {surname} Snc",
    "{surname} & {partner} Ricambi",
    "Ricambi {surname} {city}",
    "Car Service {city}",
    "Autoricambi {surname} di {partner}",
    "{surname} Auto Srl",
    "Concessionaria {surname} Spa",
    "Centro Ricambi {surname}",
)
_DISTRIBUTOR_NAMES = (
    "{surname} Distribuzione Ricambi Spa",
    "Centro Ricambi {province}",
    "Ricambi Auto {province} Ingrosso Srl",
    "{surname} & {partner} Distribuzione Srl",
)
_STREETS = (
    "Via Roma", "Via Garibaldi", "Via Mazzini", "Via Cavour", "Via Matteotti", "Via Marconi",
    "Via Gramsci", "Via Dante Alighieri", "Via Vittorio Emanuele II", "Corso Italia",
    "Via XX Settembre", "Via IV Novembre", "Via dei Mille", "Viale Europa", "Via Nazionale",
    "Via della Repubblica", "Via Aldo Moro", "Via Enrico Fermi", "Via Galileo Galilei",
    "Via Leonardo da Vinci", "Via Alessandro Volta", "Via dell'Industria", "Via dell'Artigianato",
    "Via del Lavoro", "Via delle Industrie", "Viale della Stazione", "Via San Francesco",
    "Via Giuseppe Verdi", "Corso Vittorio Emanuele", "Via Kennedy", "Via Toscana", "Via Emilia",
)  # fmt: skip


def generate_dealers(
    count: int, seed: int = 1, *, comuni: Sequence[Comune] | None = None
) -> tuple[DealerSeed, ...]:
    """``count`` dealers at comuni drawn by population; dealer 1 is the importer's central warehouse.

    ``comuni`` defaults to the bundled gazetteer's (only comuni with a postal code are used).
    """
    if count < 0:
        raise ValueError("count must be >= 0")
    if count == 0:
        return ()
    gazetteer = None
    if comuni is None:
        gazetteer = _gazetteer()
        comuni = gazetteer.comuni()
    places = sorted((c for c in comuni if c.postal_codes), key=lambda c: c.istat_code)
    if not places:
        raise ValueError("no comune with a postal code to place dealers in")
    rng = random.Random(f"dealers:{seed}")
    used_names: set[str] = set()

    def dealer(number: int, comune: Comune, tier: str, name: str | None = None) -> DealerSeed:
        lat, lon = _jitter(rng, comune, gazetteer)
        return DealerSeed(
            code=f"D{number:04d}",  # stable whatever the network size; D10000 on from 10,000
            name=name or _dealer_name(rng, number, comune, tier, used_names),
            address=f"{rng.choice(_STREETS)} {_street_number(rng)}",
            postal_code=rng.choice(_street_postal_codes(comune)),
            city=comune.name,
            province=comune.province_code,
            lat=lat,
            lon=lon,
            tier=tier,
            is_central_warehouse=number == 1,
        )

    result = [dealer(1, _warehouse_comune(places), "distributor", "Magazzino Centrale Importatore")]
    drawn = rng.choices(places, cum_weights=list(accumulate(c.population for c in places)), k=count - 1)
    for number, comune in enumerate(drawn, start=2):
        result.append(dealer(number, comune, _tier(rng, comune)))
    return tuple(result)


def _gazetteer() -> Gazetteer:
    # Imported late: the gazetteer loads shapely and data files, which generate_parts never needs.
    from marketplace.geo.gazetteer import get_gazetteer

    return get_gazetteer()


def _warehouse_comune(places: Sequence[Comune]) -> Comune:
    by_key = {(c.name, c.province_code): c for c in places}
    for key in _WAREHOUSE_COMUNI:
        if key in by_key:
            return by_key[key]
    return max(places, key=lambda c: (c.population, c.istat_code))


def _tier(rng: random.Random, comune: Comune) -> str:
    roll = rng.random()
    if roll < DISTRIBUTOR_SHARE:
        return "distributor"
    if roll < DISTRIBUTOR_SHARE + NEW_SHARE:
        return "new"
    return "provincial" if comune.population < URBAN_POPULATION else "urban"


def _dealer_name(rng: random.Random, number: int, comune: Comune, tier: str, used: set[str]) -> str:
    templates = _DISTRIBUTOR_NAMES if tier == "distributor" else _DEALER_NAMES
    name = ""
    for _ in range(20):  # a big city soon uses up "Ricambi Auto Roma": draw again
        surname, partner = rng.sample(_SURNAMES, 2)
        name = rng.choice(templates).format(
            surname=surname, partner=partner, city=comune.name, province=comune.province_name
        )
        if name not in used:
            break
    else:
        name = f"{name} {number}"
    used.add(name)
    return name


def _street_number(rng: random.Random) -> str:
    number = min(1 + int(rng.expovariate(1 / 35)), 280)  # low house numbers are the most common
    return f"{number}/{rng.choice('ABC')}" if rng.random() < 0.08 else str(number)


def _street_postal_codes(comune: Comune) -> tuple[str, ...]:
    # "xx100" is a big city's generic code; street addresses use the district ones.
    specific = tuple(code for code in comune.postal_codes if not code.endswith("100"))
    return specific or comune.postal_codes


def _jitter(rng: random.Random, comune: Comune, gazetteer: Gazetteer | None) -> tuple[float, float]:
    """A point within ``JITTER_KM`` of the comune's, on land in its province when that can be checked."""
    for _ in range(8):
        distance = JITTER_KM * math.sqrt(rng.random())  # uniform over the disc, not bunched at the centre
        bearing = rng.random() * math.tau
        lat = comune.lat + distance * math.cos(bearing) / 111.32
        lon = comune.lon + distance * math.sin(bearing) / (111.32 * math.cos(math.radians(comune.lat)))
        lat, lon = round(lat, 6), round(lon, 6)
        if gazetteer is None:
            return lat, lon
        # Coastal and border towns: keep dealers out of the sea and out of the next province.
        area = gazetteer.locate(lat, lon)
        if area is not None and area.province_code == comune.province_code:
            return lat, lon
    return comune.lat, comune.lon


# --------------------------------------------------------------------------------------------------
# Parts

SUPERSEDED_SHARE = 0.05
MAP_SHARE = 0.40
PRICE_SIGMA = 0.45
MIN_PRICE, MAX_PRICE = Decimal("1.00"), Decimal("3000.00")
CENT = Decimal("0.01")
# Zipf-Mandelbrot: popularity = ((1 + q) / (rank + q)) ** s, so rank 1 is exactly 1.0.
ZIPF_S, ZIPF_Q = 0.9, 4.0

# Category -> ((description, median list price in EUR, bulky or regulated), ...).
# Bulky/regulated parts (body panels, airbags, whole gearboxes) are mostly sold at the counter only.
_ITEMS: dict[str, tuple[tuple[str, float, bool], ...]] = {
    "freni": (
        ("Pastiglie freno anteriori", 45, False), ("Pastiglie freno posteriori", 38, False),
        ("Disco freno anteriore", 55, False), ("Disco freno posteriore", 45, False),
        ("Pinza freno anteriore sinistra", 160, False), ("Pinza freno anteriore destra", 160, False),
        ("Ganasce freno posteriori", 50, False), ("Tamburo freno posteriore", 60, False),
        ("Tubo flessibile freno", 15, False), ("Sensore usura pastiglie", 10, False),
        ("Pompa freno", 120, False), ("Servofreno", 280, False),
    ),
    "filtri": (
        ("Filtro olio", 12, False), ("Filtro aria motore", 18, False), ("Filtro aria abitacolo", 16, False),
        ("Filtro abitacolo ai carboni attivi", 24, False), ("Filtro carburante", 28, False),
        ("Filtro olio cambio DSG", 35, False), ("Filtro antiparticolato (DPF)", 900, True),
    ),
    "motore": (
        ("Kit distribuzione", 180, False), ("Pompa acqua", 90, False), ("Cinghia servizi", 30, False),
        ("Candela di accensione", 12, False), ("Bobina di accensione", 60, False),
        ("Guarnizione testata", 45, False), ("Iniettore", 320, False), ("Turbocompressore", 1100, False),
        ("Termostato", 40, False), ("Supporto motore", 85, False), ("Valvola EGR", 350, False),
        ("Radiatore motore", 220, True), ("Coppa olio", 110, False), ("Testata motore", 900, True),
    ),
    "sospensioni": (
        ("Ammortizzatore anteriore", 90, False), ("Ammortizzatore posteriore", 70, False),
        ("Molla elicoidale anteriore", 55, False), ("Braccio oscillante anteriore", 95, False),
        ("Testina sterzo", 30, False), ("Tirante sterzo", 40, False), ("Barra stabilizzatrice", 130, True),
        ("Bieletta barra stabilizzatrice", 22, False), ("Cuscinetto ruota", 65, False),
        ("Mozzo ruota posteriore", 110, False), ("Supporto ammortizzatore", 35, False),
        ("Scatola sterzo", 750, True),
    ),
    "elettrico": (
        ("Batteria 12V 70Ah", 150, False), ("Alternatore", 380, False),
        ("Motorino di avviamento", 290, False),
        ("Sensore ABS", 55, False), ("Sonda lambda", 95, False), ("Centralina motore", 900, False),
        ("Sensore di parcheggio", 60, False), ("Motorino alzacristallo", 110, False),
        ("Interruttore luci stop", 15, False), ("Cablaggio portellone", 140, False),
        ("Kit fusibili", 9, False),
    ),
    "carrozzeria": (
        ("Paraurti anteriore", 320, True), ("Paraurti posteriore", 290, True), ("Cofano motore", 450, True),
        ("Parafango anteriore sinistro", 180, True), ("Portiera anteriore destra", 650, True),
        ("Portellone posteriore", 700, True), ("Parabrezza", 420, True),
        ("Specchietto retrovisore esterno sinistro", 160, False), ("Calotta specchietto", 45, False),
        ("Griglia radiatore", 95, False), ("Maniglia portiera esterna", 35, False),
        ("Modanatura laterale", 40, False), ("Modulo airbag volante", 600, True),
        ("Airbag lato passeggero", 750, True),
    ),
    "trasmissione": (
        ("Kit frizione", 280, False), ("Volano bimassa", 550, False),
        ("Semiasse anteriore sinistro", 240, False), ("Giunto omocinetico", 85, False),
        ("Cuffia semiasse", 18, False), ("Cuscinetto reggispinta", 70, False),
        ("Cavo selezione marce", 65, False), ("Olio cambio DSG 1 l", 22, False),
        ("Supporto cambio", 60, False), ("Cambio completo", 1600, True),
    ),
    "climatizzazione": (
        ("Compressore aria condizionata", 520, False), ("Condensatore climatizzatore", 190, False),
        ("Evaporatore", 230, False), ("Elettroventola radiatore", 210, False),
        ("Valvola di espansione", 60, False), ("Filtro disidratatore", 35, False),
        ("Motorino ventilazione abitacolo", 120, False), ("Resistenza ventola abitacolo", 40, False),
        ("Sensore pressione climatizzatore", 45, False), ("Tubo climatizzatore", 80, False),
    ),
    "illuminazione": (
        ("Faro anteriore LED sinistro", 850, False), ("Faro anteriore alogeno destro", 260, False),
        ("Fanale posteriore sinistro", 140, False), ("Lampadina H7", 8, False), ("Lampadina H4", 7, False),
        ("Fendinebbia anteriore", 65, False), ("Luce targa", 15, False), ("Terza luce stop", 45, False),
        ("Lampada xeno D3S", 95, False), ("Centralina faro LED", 320, False),
        ("Indicatore di direzione laterale", 18, False),
    ),
    "accessori": (
        ("Tappetini in gomma anteriori", 45, False), ("Spazzole tergicristallo anteriori", 35, False),
        ("Barre portatutto da tetto", 260, False), ("Gancio di traino", 420, False),
        ("Portabici posteriore", 480, True), ("Kit pronto soccorso", 18, False),
        ("Triangolo di emergenza", 12, False), ("Caricatore wireless", 140, False),
        ("Cerchio in lega 17\"", 320, True), ("Vasca baule", 65, False), ("Catene da neve", 75, False),
    ),
}  # fmt: skip
_CATEGORY_WEIGHTS = {
    "freni": 14, "filtri": 12, "motore": 14, "sospensioni": 10, "elettrico": 12, "carrozzeria": 12,
    "trasmissione": 7, "climatizzazione": 5, "illuminazione": 8, "accessori": 6,
}  # fmt: skip

_MODELS = {
    "Volkswagen": ("Golf VII", "Golf VIII", "Polo 2017-", "T-Roc", "Tiguan II", "Passat B8", "up!", "ID.3"),
    "Audi": ("A3 8V", "A3 8Y", "A4 B9", "Q3 2018-", "A1 2018-", "Q5 FY"),
    "Skoda": ("Octavia III", "Octavia IV", "Fabia III", "Kodiaq", "Karoq"),
    "Seat": ("Leon III", "Ibiza 2017-", "Arona", "Ateca"),
    "Cupra": ("Formentor", "Born", "Leon 2020-"),
    "Fiat": ("Panda 2012-", "500 2007-", "Tipo 2016-", "Punto Evo", "Ducato 2014-", "500X"),
    "Alfa Romeo": ("Giulietta", "Giulia 2016-", "Stelvio", "MiTo"),
    "Lancia": ("Ypsilon 2011-",),
    "Peugeot": ("208 2019-", "2008 2019-", "3008 II", "308 III"),
    "Ford": ("Fiesta VII", "Focus III", "Focus IV", "Kuga II", "Puma 2019-", "Transit Custom"),
}
_ANY_MODEL = tuple(model for models in _MODELS.values() for model in models)
MODEL_HINT_SHARE = 0.35


# The catalog loop runs 200,000 times: these skip random.choice()/choices() overhead (~3x faster).
def _pick(rng: random.Random, options: Sequence[str]) -> str:
    return options[int(rng.random() * len(options))]


def _digits(rng: random.Random, n: int) -> str:
    return str(int(rng.random() * 10**n)).zfill(n)


def _letters(rng: random.Random, n: int, alphabet: str = "ABCDEFGHJKLMNPRSTVWXZ") -> str:
    return "".join(_pick(rng, alphabet) for _ in range(n))


# VAG "1K0 615 301 AA": the middle block's first digit is VW's main group (6 brakes, 8 body, 9 electrics).
_VAG_PREFIXES = (
    "1K0", "1K1", "5Q0", "5G0", "3C0", "3G0", "6R0", "2K5", "5K0", "1J0", "8V0", "8W0", "4G0", "4M0",
    "8K0", "6C0", "5E0", "3V0", "2G0", "7N0", "5F0", "KF0", "03L", "04E", "04L", "06J", "06H", "0AM",
)  # fmt: skip
_VAG_GROUPS = {
    "freni": ("615", "698", "611", "609"), "filtri": ("115", "129", "819", "127"),
    "motore": ("109", "121", "198", "905", "253", "103"),
    "sospensioni": ("411", "412", "413", "407", "511", "512", "513"),
    "elettrico": ("903", "911", "915", "927", "906", "919", "959", "937"),
    "carrozzeria": ("807", "823", "821", "831", "857", "853", "880", "845"),
    "trasmissione": ("141", "105", "407", "498", "711", "300"),
    "climatizzazione": ("820", "816", "819", "959"), "illuminazione": ("941", "945", "949", "943"),
    "accessori": ("061", "071", "017", "955"),
}  # fmt: skip


def _vag(rng: random.Random, category: str) -> str:
    number = f"{_pick(rng, _VAG_PREFIXES)} {_pick(rng, _VAG_GROUPS[category])} {_digits(rng, 3)}"
    roll = rng.random()
    if roll < 0.4:
        return number
    return f"{number} {_letters(rng, 1 if roll < 0.75 else 2, 'ABCDEFGHJKLMNPQ')}"


def _fiat(rng: random.Random, category: str) -> str:
    # Fiat/Alfa/Lancia: 8 digits ("51810873"), older ones 9 starting "735".
    if rng.random() < 0.8:
        return _pick(rng, ("46", "51", "52", "55", "60", "71", "77")) + _digits(rng, 6)
    return "735" + _digits(rng, 6)


def _psa(rng: random.Random, category: str) -> str:
    # Peugeot/Citroën: 10 digits ending in "80" ("9673887380", "1606682080").
    return _pick(rng, ("96", "98", "16")) + _digits(rng, 6) + "80"


_FORD_BASES = {
    "freni": ("1125", "2001", "2M008", "2B120", "2K021"), "filtri": ("6714", "9601", "19N619", "9155"),
    "motore": ("6K254", "8501", "6766", "12405", "9F593", "6051"),
    "sospensioni": ("18045", "18080", "3A052", "5560", "3078"),
    "elettrico": ("10300", "11000", "10655", "2C204", "14B321"),
    "carrozzeria": ("17757", "16700", "16015", "20124", "17682", "042B84"),
    "trasmissione": ("7550", "6477", "3B436", "7563", "7002"),
    "climatizzazione": ("19D629", "19710", "18D413", "19N588", "8C607"),
    "illuminazione": ("13W030", "13404", "13A613", "15200"),
    "accessori": ("19G174", "17C453", "55A112", "13K303"),
}  # fmt: skip


def _ford(rng: random.Random, category: str) -> str:
    # Ford: a 7-digit Finis code "1 234 567", or an engineering number "BV61-2M008-AB".
    if rng.random() < 0.5:
        finis = _pick(rng, "12") + _digits(rng, 6)
        return f"{finis[0]} {finis[1:4]} {finis[4:]}"
    prefix = _letters(rng, 2, "ABCDEFGHJK") + _digits(rng, 1) + _pick(rng, "0123456789JZCN")
    suffix = _pick(rng, "ABCDE") + _pick(rng, "ABCDEFG")
    return f"{prefix}-{_pick(rng, _FORD_BASES[category])}-{suffix}"


_BOSCH_PREFIXES = {
    "freni": ("0 986 494", "0 986 479", "0 986 424"), "filtri": ("F 026 400", "F 026 407", "1 457 429"),
    "motore": ("0 242 236", "0 242 235", "0 986 356"), "elettrico": ("0 986 041", "0 986 022", "0 258 006"),
    "illuminazione": ("1 987 302", "1 987 301"), "accessori": ("3 397 007", "3 397 118"),
}  # fmt: skip


def _bosch(rng: random.Random, category: str) -> str:
    # "0 986 494 123": only the family's head is kept ("0 986 4.."); whole 7-digit families would
    # leave 1,000 numbers each, too few for a 200,000-part catalog.
    family = _pick(rng, _BOSCH_PREFIXES[category])
    return f"{family[:-2]}{_digits(rng, 2)} {_digits(rng, 3)}"


def _brembo(rng: random.Random, category: str) -> str:
    # Discs "09.A727.11", pads "P 85 020".
    if rng.random() < 0.5:
        return f"09.{_letters(rng, 1)}{_digits(rng, 3)}.{_digits(rng, 2)}"
    return f"P {_digits(rng, 2)} {_digits(rng, 3)}"


def _mann(rng: random.Random, category: str) -> str:
    # "HU 719/7 X" (oil), "C 27 192/1" (air), "CUK 2939" (cabin), "WK 842/2" (fuel).
    prefix = _pick(rng, ("HU", "W", "C", "CU", "CUK", "WK", "H"))
    if prefix == "C":
        number = f"{rng.randint(10, 99)} {_digits(rng, 3)}"
    else:
        number = str(rng.randint(100, 9999))
    if rng.random() < 0.6:
        number += f"/{rng.randint(1, 12)}"
    return f"{prefix} {number} X" if rng.random() < 0.15 else f"{prefix} {number}"


def _valeo(rng: random.Random, category: str) -> str:
    return _pick(rng, "2345678") + _digits(rng, 5)


def _sachs(rng: random.Random, category: str) -> str:
    # Clutch kits "3000 951 123", shock absorbers "315 872".
    if category == "trasmissione":
        return f"3000 {_digits(rng, 3)} {_digits(rng, 3)}"
    return f"3{_digits(rng, 2)} {_digits(rng, 3)}"


_ALL_CATEGORIES = tuple(_ITEMS)
# Brand -> (share of the catalog, number style, categories it makes). The importer's own brands
# dominate; aftermarket brands only make what they are known for.
_BRANDS: dict[str, tuple[float, Callable[[random.Random, str], str], tuple[str, ...]]] = {
    "Volkswagen": (24, _vag, _ALL_CATEGORIES),
    "Audi": (12, _vag, _ALL_CATEGORIES),
    "Skoda": (8, _vag, _ALL_CATEGORIES),
    "Seat": (6, _vag, _ALL_CATEGORIES),
    "Cupra": (2, _vag, _ALL_CATEGORIES),
    "Fiat": (6, _fiat, _ALL_CATEGORIES),
    "Alfa Romeo": (2, _fiat, _ALL_CATEGORIES),
    "Lancia": (1, _fiat, _ALL_CATEGORIES),
    "Peugeot": (3, _psa, _ALL_CATEGORIES),
    "Ford": (5, _ford, _ALL_CATEGORIES),
    "Bosch": (10, _bosch, tuple(_BOSCH_PREFIXES)),
    "Brembo": (4, _brembo, ("freni",)),
    "Mann-Filter": (4, _mann, ("filtri",)),
    "Valeo": (4, _valeo, ("trasmissione", "elettrico", "illuminazione", "climatizzazione", "accessori")),
    "Sachs": (3, _sachs, ("trasmissione", "sospensioni")),
}


@dataclass(slots=True)
class _Draft:
    part_number: str
    brand: str
    category: str
    description: str
    median_price: float
    bulky: bool


def generate_parts(count: int, seed: int = 1) -> tuple[PartSeed, ...]:
    """``count`` catalog parts with unique normalized numbers, prices and supersession chains."""
    if count < 0:
        raise ValueError("count must be >= 0")
    rng = random.Random(f"parts:{seed}")
    with gc_paused():
        return _generate_parts(rng, count)


def _generate_parts(rng: random.Random, count: int) -> tuple[PartSeed, ...]:
    drafts = _draft_parts(rng, count)
    successor = _link_supersessions(rng, [(d.brand, d.category) for d in drafts])
    # A replacement is the same component: the whole chain takes the newest part's item. Newest
    # first, so each part copies from one that is already final.
    for old in reversed(range(count)):
        if (new := successor[old]) is not None:
            drafts[old].description = drafts[new].description
            drafts[old].median_price = drafts[new].median_price
            drafts[old].bulky = drafts[new].bulky
    popularity = _popularity(rng, [d.median_price for d in drafts])
    parts = []
    for draft, next_index, popular in zip(drafts, successor, popularity):
        list_price = _list_price(rng, draft.median_price)
        parts.append(
            PartSeed(
                part_number=draft.part_number,
                description=draft.description,
                brand=draft.brand,
                category=draft.category,
                list_price=list_price,
                map_price=_map_price(rng, list_price),
                channel="physical_only" if rng.random() < (0.75 if draft.bulky else 0.12) else "online",
                superseded_by=None if next_index is None else drafts[next_index].part_number,
                popularity=popular,
            )
        )
    return tuple(parts)


def _draft_parts(rng: random.Random, count: int) -> list[_Draft]:
    brands = list(_BRANDS)
    brand_weights = list(accumulate(_BRANDS[b][0] for b in brands))
    category_weights = {
        brand: list(accumulate(_CATEGORY_WEIGHTS[c] for c in categories))
        for brand, (_, _, categories) in _BRANDS.items()
    }
    seen: set[str] = set()
    drafts = []
    for brand in rng.choices(brands, cum_weights=brand_weights, k=count):
        _, style, categories = _BRANDS[brand]
        cum_weights = category_weights[brand]
        category = categories[bisect(cum_weights, rng.random() * cum_weights[-1])]
        while True:  # collisions are rare; the loop only ends on a fresh normalized number
            number = style(rng, category)
            key = normalize_part_number(number)
            if key not in seen:
                seen.add(key)
                break
        description, median, bulky = _ITEMS[category][int(rng.random() * len(_ITEMS[category]))]
        if rng.random() < MODEL_HINT_SHARE:
            description += f" per {_pick(rng, _MODELS.get(brand, _ANY_MODEL))}"
        drafts.append(_Draft(number, brand, category, description, median, bulky))
    return drafts


def _link_supersessions(rng: random.Random, groups: Sequence[tuple[str, str]]) -> list[int | None]:
    """``successor[i]``: the index that replaces part ``i`` (same brand and category), or None.

    Chains hold 2-4 parts, and the later-generated part is the newer one, so there are no cycles.
    """
    count = len(groups)
    successor: list[int | None] = [None] * count
    target = round(count * SUPERSEDED_SHARE)
    pools: dict[tuple[str, str], list[int]] = {}
    for index, group in enumerate(groups):
        pools.setdefault(group, []).append(index)
    for pool in pools.values():
        rng.shuffle(pool)
    used = bytearray(count)
    order = list(range(count))
    rng.shuffle(order)
    linked = 0
    for start in order:
        if linked >= target:
            break
        if used[start]:
            continue
        used[start] = 1
        length = min(rng.choices((2, 3, 4), weights=(6, 3, 1))[0], target - linked + 1)
        chain = [start]
        pool = pools[groups[start]]
        while len(chain) < length and pool:
            candidate = pool.pop()
            if not used[candidate]:  # pools are cleaned lazily: skip parts already in a chain
                used[candidate] = 1
                chain.append(candidate)
        if len(chain) < 2:
            continue
        chain.sort()
        for old, new in zip(chain, chain[1:]):
            successor[old] = new
        linked += len(chain) - 1
    return successor


def _popularity(rng: random.Random, medians: Sequence[float]) -> list[float]:
    """Zipf-like popularity in (0, 1]; cheap consumables (filters, pads) tend to rank higher."""
    # Weighted random order (Efraimidis-Spirakis, key = log(u) / weight, highest first) with
    # weight 1 / sqrt(median price): a 10 EUR filter outranks a 1,000 EUR gearbox ten times as often.
    keys = [math.log(1.0 - rng.random()) * math.sqrt(median) for median in medians]
    ranking = sorted(range(len(medians)), key=keys.__getitem__, reverse=True)
    popularity = [0.0] * len(medians)
    for rank, index in enumerate(ranking, start=1):
        popularity[index] = ((1 + ZIPF_Q) / (rank + ZIPF_Q)) ** ZIPF_S
    return popularity


def _list_price(rng: random.Random, median: float) -> Decimal:
    """Log-normal around the item's median, redrawn above the cap so no price piles up there."""
    while True:
        # gauss() rather than lognormvariate(): same distribution, a third of the time.
        price = Decimal(median * math.exp(PRICE_SIGMA * rng.gauss())).quantize(CENT, ROUND_HALF_UP)
        if price <= MAX_PRICE:
            return max(price, MIN_PRICE)


def _map_price(rng: random.Random, list_price: Decimal) -> Decimal | None:
    """A minimum advertised price for ~40% of parts: 85-95% of the list price."""
    if rng.random() >= MAP_SHARE:
        return None
    share = Decimal(850 + int(rng.random() * 101)).scaleb(-3)
    return (list_price * share).quantize(CENT, ROUND_HALF_UP)
