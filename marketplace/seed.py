"""Filling an empty database with the synthetic demo network."""

from __future__ import annotations

from dataclasses import dataclass

from marketplace.accounts.passwords import hash_password
from marketplace.accounts.tables import Role, User
from marketplace.inventory.normalize import normalize_part_number
from marketplace.inventory.tables import Part
from marketplace.network.tables import Dealer
from marketplace.seed_data import NetworkSeed, generate_network

DEMO_PASSWORD = "demo-password"
DEMO_DOMAIN = "demo.example"


@dataclass(frozen=True, slots=True)
class DemoLogin:
    email: str
    role: str
    dealer_code: str | None


async def database_is_empty() -> bool:
    return not await Dealer.exists()


async def seed_network(dealers: int, parts: int, seed: int = 1) -> list[DemoLogin]:
    """Write a deterministic network (dealers, catalog, demo users) in one transaction."""
    network = generate_network(dealers=dealers, parts=parts, seed=seed)
    async with Dealer._meta.db.transaction() as tx:
        connection = tx.connection
        await _copy_dealers(connection, network)
        await _copy_parts(connection, network)
        logins = await _demo_users(network)
    return logins


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
