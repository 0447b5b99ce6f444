"""Priority and reserved stock: the central warehouse's fast movers seen by small provincial shops
only while the reservation runs, by everyone after it; their requests served first."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from marketplace.incentives.reserved import fast_movers, reservations, reserve_fast_movers
from tests.conftest import make_dealer
from tests.matching.network import build_network, key_of, stock

FILTER = "03L 115 562"


async def _network(client) -> dict[str, str]:
    await build_network()  # MI, MZ, BG, TO, RM (urban by default), CW the central warehouse
    await make_dealer("PV", "27100", tier="provincial")
    await stock("CW", FILTER, 10, "9.00")
    await stock("MZ", FILTER, 5, "10.00")
    await stock("CW", "RARE-1", 2, "700.00")
    keys = {code: await key_of(code) for code in ("MI", "PV", "TO", "RM")}
    # Demand: the network asked for the filter four times, the control unit never.
    for code, qty in (("MI", 2), ("TO", 1), ("RM", 1)):
        response = await client.post("/api/v1/transfers", json={"supplier": "MZ", "part_number": FILTER, "quantity": qty},
                                     headers={"Authorization": f"Bearer {keys[code]}"})
        assert response.status_code == 201, response.text
    return keys


async def central(client, key: str, q: str = FILTER):
    response = await client.get("/api/v1/network/search", params={"q": q}, headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200, response.text
    return response.json()["results"][0]["central"]


async def test_fast_movers_are_reserved_for_the_provincial_tier_during_the_window(client):
    keys = await _network(client)
    assert [units for _, units in await fast_movers()] == [4]
    assert await reserve_fast_movers() == 1  # the filter at CW; RARE-1 has no demand
    assert await reserve_fast_movers() == 0  # already reserved
    [running] = await reservations()
    assert (running["dealer_code"], running["demand"], running["part_number"]) == ("CW", 4, FILTER)
    assert running["reserved_until"] - running["reserved_from"] == timedelta(hours=48)

    assert await central(client, keys["MI"]) is None  # urban: hidden while reserved
    assert (await central(client, keys["PV"]))["available"] == 10  # provincial: sees it
    assert (await central(client, keys["MI"], "RARE-1"))["available"] == 2  # not a fast mover: everyone

    # Asking the warehouse by name does not get round it: 409, nothing available to MI; PV gets it.
    response = await client.post("/api/v1/transfers", json={"supplier": "CW", "part_number": FILTER, "quantity": 1},
                                 headers={"Authorization": f"Bearer {keys['MI']}"})
    assert response.status_code == 409 and response.json()["available"] == 0
    response = await client.post("/api/v1/transfers", json={"supplier": "CW", "part_number": FILTER, "quantity": 1},
                                 headers={"Authorization": f"Bearer {keys['PV']}"})
    assert response.status_code == 201, response.text


async def test_the_reservation_is_released_after_the_window(client):
    keys = await _network(client)
    assert await reserve_fast_movers(datetime.now(timezone.utc) - timedelta(hours=49)) == 1
    assert await reservations() == []  # no reservation running
    assert (await central(client, keys["MI"]))["available"] == 10
    assert (await central(client, keys["PV"]))["available"] == 10
    response = await client.post("/api/v1/transfers", json={"supplier": "CW", "part_number": FILTER, "quantity": 1},
                                 headers={"Authorization": f"Bearer {keys['MI']}"})
    assert response.status_code == 201, response.text


async def test_the_central_warehouse_serves_provincial_requests_first(client):
    keys = await _network(client)
    cw = await key_of("CW")
    for code in ("MI", "PV"):  # MI asks first
        response = await client.post("/api/v1/transfers", json={"supplier": "CW", "part_number": "RARE-1", "quantity": 1},
                                     headers={"Authorization": f"Bearer {keys[code]}"})
        assert response.status_code == 201, response.text
    inbox = (await client.get("/api/v1/transfers", headers={"Authorization": f"Bearer {cw}"})).json()["items"]
    assert [t["requester"] for t in inbox] == ["PV", "MI"]
    # Another supplier keeps first come, first served.
    mz = await key_of("MZ")
    inbox = (await client.get("/api/v1/transfers", headers={"Authorization": f"Bearer {mz}"})).json()["items"]
    assert [t["requester"] for t in inbox] == ["MI", "TO", "RM"]
