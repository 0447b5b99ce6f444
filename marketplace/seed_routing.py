"""The demo's routing: dealers' own closures (patron saints, August), and (added below as they
come) online orders waiting for their source dealers, an urgent need open, DDTs of shipped transfers.

Called once from ``seed.seed_network`` after the history; it writes through the owning domains'
functions where the demo is small enough, and directly where the seed already does.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from marketplace import calendar
from marketplace.accounts.principal import Principal
from marketplace.accounts.tables import Role
from marketplace.db import raw_connection
from marketplace.errors import DomainError
from marketplace.geo.distance import haversine_km_many
from marketplace.inventory.availability import AVAILABLE, SELLABLE
from marketplace.inventory.on_sale import on_sale
from marketplace.matching.ddt import number_past_shipments
from marketplace.matching.urgent_needs import NeedInput, post_need
from marketplace.network.tables import Dealer, DealerClosure
from marketplace.pickup.lifecycle import confirm_order
from marketplace.pickup.orders import Customer, OrderRequest, place_order
from marketplace.pickup.tables import CustomerOrder, PickupPoint

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


# Parts on sale online that one dealer alone holds (shared, available): an order for one of them is
# sourced from that dealer wherever it is collected.
_ONLY_HOLDER = f"""
SELECT p.id, p.part_number, p.normalized FROM part p JOIN stock_item s ON s.part = p.id
WHERE {on_sale("p.")} AND s.dealer = $1 AND {SELLABLE} AND {AVAILABLE} >= 2
  AND NOT EXISTS (SELECT 1 FROM stock_item o WHERE o.part = p.id AND o.dealer <> $1 AND o.shared AND o.on_hand > o.reserved)
ORDER BY p.id LIMIT $2
"""
# Parts the dealer does not hold that others nearby do.
_HELD_ELSEWHERE = f"""
SELECT p.id, p.part_number, p.normalized FROM part p JOIN stock_item s ON s.part = p.id
WHERE {on_sale("p.")} AND s.dealer <> $1 AND {SELLABLE} AND {AVAILABLE} >= 2
  AND NOT EXISTS (SELECT 1 FROM stock_item o WHERE o.part = p.id AND o.dealer = $1 AND o.on_hand > 0)
GROUP BY p.id ORDER BY count(*) DESC, p.id LIMIT $2
"""


def _principal(dealer: dict) -> Principal:
    return Principal(role=Role.dealer_staff, dealer_id=dealer["id"], dealer_code=dealer["code"], email="demo")


async def _place(point: dict, part: dict, email: str) -> int | None:
    """Place and confirm a one-line order at ``point`` (None when the shop refuses it)."""
    try:
        order = await place_order(OrderRequest(Customer("Cliente Demo", email, "+39 333 0000000", point["postal_code"]),
                                               ((part["part_number"], 1),), point["id"]))
        row = await CustomerOrder.select(CustomerOrder.confirm_token).where(CustomerOrder.id == order.id).first()
        await confirm_order(row["confirm_token"])
        return order.id
    except DomainError:
        return None


async def seed_orders_to_accept(demo: dict, neighbours: list[dict], points: dict[int, dict]) -> int:
    """Orders waiting for acceptance: collected at neighbours' stores with a part only the demo
    dealer holds (its Orders to accept page), and one at the demo dealer's store with a part from
    another dealer (the store's order page shows the offer)."""
    placed = 0
    async with raw_connection() as connection:
        only_demo = await connection.fetch(_ONLY_HOLDER, demo["id"], 3)
        elsewhere = await connection.fetch(_HELD_ELSEWHERE, demo["id"], 1)
    for n, (part, neighbour) in enumerate(zip(only_demo, [n for n in neighbours if n["id"] in points])):
        placed += await _place(points[neighbour["id"]], dict(part), f"cliente{n + 1}@demo.example") is not None
    if demo["id"] in points:
        for part in elsewhere:
            placed += await _place(points[demo["id"]], dict(part), "cliente.negozio@demo.example") is not None
    return placed


async def seed_urgent_needs(demo: dict, neighbours: list[dict]) -> int:
    """An urgent need open in the demo dealer's range (posted by its nearest neighbour, for a part
    it holds) and one the demo dealer posted itself."""
    posted = 0
    async with raw_connection() as connection:
        held = await connection.fetch(
            f"SELECT p.part_number FROM part p JOIN stock_item s ON s.part = p.id WHERE s.dealer = $1 AND {SELLABLE}"
            f" AND {AVAILABLE} >= 1 AND p.superseded_by IS NULL ORDER BY p.id LIMIT 1", demo["id"])
        wanted = await connection.fetch(_HELD_ELSEWHERE, demo["id"], 2)
    for poster, rows, note in ((neighbours[0] if neighbours else None, held, "Auto ferma in officina, cliente in attesa"),
                               (demo, wanted[1:] or wanted, "Serve entro domani")):
        if poster is None or not rows:
            continue
        try:
            await post_need(_principal(poster), NeedInput(rows[0]["part_number"], 1, note=note))
            posted += 1
        except DomainError:
            pass
    return posted


async def seed_routing(seed: int = 1) -> None:
    """The demo's routing data (see the module's docstring)."""
    await seed_closures(seed)
    async with Dealer._meta.db.transaction() as tx:
        await tx.connection.execute(_PHONES)  # every demo counter has a number the supplier can call
        await number_past_shipments(tx.connection)  # the year's shipped transfers have their DDTs
    dealers = await Dealer.select(Dealer.id, Dealer.code, Dealer.lat, Dealer.lon, Dealer.is_central_warehouse).order_by(
        Dealer.id)
    demo = next((d for d in dealers if not d["is_central_warehouse"]), None)
    if demo is None or demo["lat"] is None:
        return
    others = [d for d in dealers if d["id"] != demo["id"] and not d["is_central_warehouse"] and d["lat"] is not None]
    km = haversine_km_many(demo["lat"], demo["lon"], [d["lat"] for d in others], [d["lon"] for d in others])
    neighbours = [d for _, d in sorted(zip(km.tolist(), others), key=lambda pair: pair[0])][:5]
    points = {row["dealer"]: row for row in await PickupPoint.select(
        PickupPoint.id, PickupPoint.dealer, PickupPoint.postal_code).where(PickupPoint.active.eq(True)).order_by(PickupPoint.id)}
    await seed_orders_to_accept(demo, neighbours, points)
    await seed_urgent_needs(demo, neighbours)
