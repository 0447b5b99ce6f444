"""The demo's routing: dealers' own closures (patron saints, August), and (added below as they
come) online orders waiting for their source dealers, an urgent need open, DDTs of shipped transfers.

Called once from ``seed.seed_network`` after the history; it writes through the owning domains'
functions where the demo is small enough, and directly where the seed already does.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from marketplace import calendar
from marketplace.matching.ddt import number_past_shipments
from marketplace.network.tables import Dealer, DealerClosure

# Patron saints of cities with demo dealers (not already national holidays).
PATRON_SAINTS = {
    "Milano": (12, 7, "Sant'Ambrogio"), "Torino": (6, 24, "San Giovanni Battista"),
    "Genova": (6, 24, "San Giovanni Battista"), "Firenze": (6, 24, "San Giovanni Battista"),
    "Roma": (6, 29, "Santi Pietro e Paolo"), "Napoli": (9, 19, "San Gennaro"), "Bari": (12, 6, "San Nicola"),
    "Palermo": (7, 15, "Santa Rosalia"), "Brescia": (2, 15, "Santi Faustino e Giovita"),
    "Verona": (5, 21, "San Zeno"), "Padova": (6, 13, "Sant'Antonio"), "Trieste": (11, 3, "San Giusto"),
    "Cagliari": (10, 30, "San Saturnino"), "Bergamo": (8, 26, "Sant'Alessandro"),
    "Catania": (2, 5, "Sant'Agata"), "Modena": (1, 31, "San Geminiano"), "Parma": (1, 13, "Sant'Ilario"),
}


def _next(today: date, month: int, day: int) -> date:
    this_year = date(today.year, month, day)
    return this_year if this_year >= today else date(today.year + 1, month, day)


async def seed_closures(seed: int = 1, today: date | None = None) -> int:
    """Every dealer in a city with a patron saint closes that day; about a third close two weeks in
    August around Ferragosto; the first demo dealer (whose admin signs in) both. The closures' count."""
    today = today or calendar.today()
    rng = random.Random(seed * 7919)
    dealers = await Dealer.select(Dealer.id, Dealer.city, Dealer.is_central_warehouse).order_by(Dealer.id)
    august = _next(today, 8, 10)
    first_ordinary = next((d["id"] for d in dealers if not d["is_central_warehouse"]), None)
    rows = []
    for dealer in dealers:
        if dealer["is_central_warehouse"]:
            continue
        saint = PATRON_SAINTS.get(dealer["city"])
        if saint is None and dealer["id"] == first_ordinary:
            saint = (12, 7, "Sant'Ambrogio")
        patron_day = _next(today, saint[0], saint[1]) if saint else None
        if saint and calendar.is_working_day(patron_day):
            rows.append(DealerClosure(dealer=dealer["id"], starts_on=patron_day, ends_on=patron_day,
                                      reason=f"Santo patrono ({saint[2]})"))
        if dealer["id"] == first_ordinary or rng.random() < 0.33:
            ends = august + timedelta(days=12)
            if patron_day and august <= patron_day <= ends:
                continue
            rows.append(DealerClosure(dealer=dealer["id"], starts_on=august, ends_on=ends, reason="Ferie di agosto"))
    if rows:
        await DealerClosure.insert(*rows)
    return len(rows)


_PHONES = """
UPDATE dealer SET phone = '+39 0' || (10 + id % 89)::text || ' ' || lpad(((id * 7919) % 1000000)::text, 6, '0')
WHERE phone = ''
"""


async def seed_routing(seed: int = 1) -> None:
    """The demo's routing data (see the module's docstring)."""
    await seed_closures(seed)
    async with Dealer._meta.db.transaction() as tx:
        await tx.connection.execute(_PHONES)  # every demo counter has a number the supplier can call
        await number_past_shipments(tx.connection)  # the year's shipped transfers have their DDTs
