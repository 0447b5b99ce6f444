"""Filling an empty database with the synthetic demo network."""

from __future__ import annotations

from dataclasses import dataclass

from marketplace.accounts.passwords import hash_password
from marketplace.accounts.tables import Role, User
from marketplace.inventory.normalize import normalize_part_number
from marketplace.network.tables import Dealer
from marketplace.seed_counter import seed_counter
from marketplace.seed_data import NetworkSeed, generate_network
from marketplace.seed_notifications import seed_notifications
from marketplace.seed_routing import seed_routing
from marketplace.seed_stock import generate_stock
from marketplace.seed_vehicles import seed_vehicles

DEMO_PASSWORD = "demo-password"
DEMO_DOMAIN = "demo.example"


@dataclass(frozen=True, slots=True)
class DemoLogin:
    email: str
    role: str
    dealer_code: str | None


async def database_is_empty() -> bool:
    return not await Dealer.exists()


async def seed_network(dealers: int, parts: int, seed: int = 1, rows_per_dealer: int = 400,
                       history: bool = True) -> list[DemoLogin]:
    """Write a deterministic network (dealers, catalog, stock, demo users) in one transaction, then
    its pickup points and territories and (``history``) a year of settled transactions."""
    network = generate_network(dealers=dealers, parts=parts, seed=seed)
    async with Dealer._meta.db.transaction() as tx:
        connection = tx.connection
        await _copy_dealers(connection, network)
        await _copy_parts(connection, network)
        await copy_stock(connection, network, rows_per_dealer, seed)
        await _feed_times(connection, seed)
        await _joined(connection, seed)  # before the year of history; seed_incentives then dates its new dealers
        logins = await _demo_users(network)
    await _click_and_collect(network)
    await seed_counter()  # the network's logo (issue 15)
    await seed_vehicles(seed)
    if history:
        from marketplace.seed_history import seed_history, settle_history
        from marketplace.seed_incentives import seed_incentives
        from marketplace.seed_pulse import seed_pulse

        async with Dealer._meta.db.transaction() as tx:
            months = await seed_history(tx.connection, seed)
        logins += await seed_incentives(months)  # tiers, trials, claims, reserved stock; settle books rebates
        await settle_history(months)
        await seed_pulse(seed)  # searches, phone orders, aged-stock snapshots, the pulse's rollups
    from marketplace.seed_agents import seed_agents  # zone agents (marketplace/agents/), with their year
    logins += await seed_agents(seed)
    await seed_routing(seed)  # closures, orders waiting for acceptance, an urgent need, DDTs
    await seed_notifications(sorted({login.dealer_code for login in logins if login.dealer_code}))
    return logins


# Mornings and afternoons on weekdays, Saturday morning: an Italian parts counter.
STORE_HOURS = {**{day: [["08:30", "12:30"], ["14:30", "19:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
               "sat": [["08:30", "12:30"]], "sun": []}
_MODELS = {"provincial": "basic", "urban": "cross_selling", "distributor": "cross_selling", "new": "basic"}


async def _click_and_collect(network: NetworkSeed) -> None:
    """Every dealer's store a pickup point (central warehouses as logistics hubs), and each
    dealer the exclusive territory of its own postal code (the first dealer there, when several)."""
    from marketplace.geo.territories import TerritoryInput, create_territories
    from marketplace.pickup.tables import PickupPoint

    dealer_ids = {r["code"]: r["id"] for r in await Dealer.select(Dealer.id, Dealer.code)}
    await PickupPoint.insert(*[
        PickupPoint(dealer=dealer_ids[d.code], name=d.name, address=d.address, postal_code=d.postal_code, city=d.city,
                    lat=d.lat, lon=d.lon, opening_hours=STORE_HOURS,
                    model="logistics_hub" if d.is_central_warehouse else _MODELS.get(d.tier, "basic"),
                    lead_time_minutes=120 if d.is_central_warehouse else 60,
                    daily_capacity=200 if d.is_central_warehouse else 30)
        for d in network.dealers
    ])
    owners: dict[str, str] = {}
    for d in network.dealers:
        if not d.is_central_warehouse:
            owners.setdefault(d.postal_code, d.code)
    await create_territories([TerritoryInput(code, f"CAP {cap}", True, postal_codes=[cap])
                              for cap, code in owners.items()])


async def copy_stock(connection, network: NetworkSeed, rows_per_dealer: int, seed: int) -> None:
    """COPY the generated stock rows, streamed (millions of rows need no list in memory)."""
    dealer_ids = {r["code"]: r["id"] for r in await connection.fetch("SELECT code, id FROM dealer")}
    part_ids = {r["normalized"]: r["id"] for r in await connection.fetch("SELECT normalized, id FROM part")}
    dealer_id = [dealer_ids[d.code] for d in network.dealers]
    part_id = [part_ids[normalize_part_number(p.part_number)] for p in network.parts]
    await connection.copy_records_to_table(
        "stock_item",
        columns=["dealer", "part", "on_hand", "reserved", "unit_cost", "transfer_price", "last_movement_date",
                 "shared"],
        records=(
            (dealer_id[row.dealer_index], part_id[row.part_index], row.on_hand, 0, row.unit_cost,
             row.transfer_price, row.last_movement_date, row.shared)
            for row in generate_stock(network, rows_per_dealer, seed)
        ),
    )


async def _feed_times(connection, seed: int) -> None:
    """Most dealers published within the last hours; about 3% have gone quiet for days (stale)."""
    await connection.execute(
        "UPDATE dealer SET last_feed_at = now() - CASE WHEN (hashtext(code || $1) & 1023) < 31"
        " THEN interval '1 day' * (3 + (hashtext(code) & 7)) ELSE interval '1 minute' * (hashtext(code) & 511) END",
        str(seed),
    )


async def _joined(connection, seed: int) -> None:
    """Each dealer joined 13 to 36 months ago (by its code and the seed): before the seeded year of history."""
    await connection.execute(
        "UPDATE dealer SET created_at = date_trunc('day', now()) - interval '1 day' * (396 + abs(hashtext(code || $1)) % 700)",
        f"joined{seed}",
    )


async def _copy_dealers(connection, network: NetworkSeed) -> None:
    await connection.copy_records_to_table(
        "dealer",
        columns=["code", "name", "address", "postal_code", "city", "province", "lat", "lon", "tier", "active",
                 "is_central_warehouse"],
        records=[
            (d.code, d.name, d.address, d.postal_code, d.city, d.province, d.lat, d.lon, d.tier, True,
             d.is_central_warehouse)
            for d in network.dealers
        ],
    )


async def _copy_parts(connection, network: NetworkSeed) -> None:
    await connection.copy_records_to_table(
        "part",
        columns=["part_number", "normalized", "description", "brand", "category", "list_price", "map_price", "channel"],
        records=[
            (p.part_number, normalize_part_number(p.part_number), p.description, p.brand, p.category, p.list_price,
             p.map_price, p.channel)
            for p in network.parts
        ],
    )
    links = [(normalize_part_number(p.part_number), normalize_part_number(p.superseded_by))
             for p in network.parts if p.superseded_by]
    await connection.execute(
        "UPDATE part p SET superseded_by = s.id FROM unnest($1::text[], $2::text[]) AS l(old, new)"
        " JOIN part s ON s.normalized = l.new WHERE p.normalized = l.old",
        [old for old, _ in links], [new for _, new in links],
    )


async def _demo_users(network: NetworkSeed) -> list[DemoLogin]:
    """A manager, and an admin and a counter clerk for each of the first two ordinary dealers."""
    password_hash = hash_password(DEMO_PASSWORD)
    logins = [DemoLogin(f"manager@{DEMO_DOMAIN}", Role.network_manager.value, None)]
    ordinary = [d for d in network.dealers if not d.is_central_warehouse][:2]
    for dealer in ordinary:
        code = dealer.code.lower()
        logins.append(DemoLogin(f"admin.{code}@{DEMO_DOMAIN}", Role.dealer_admin.value, dealer.code))
        logins.append(DemoLogin(f"banco.{code}@{DEMO_DOMAIN}", Role.dealer_staff.value, dealer.code))
    dealer_ids = {r["code"]: r["id"] for r in await Dealer.select(Dealer.id, Dealer.code)}
    await User.insert(
        *[
            User(email=login.email, name=login.email.split("@")[0], role=login.role,
                 dealer=dealer_ids.get(login.dealer_code), password_hash=password_hash)
            for login in logins
        ]
    )
    return logins
