"""Managers create zone agents and assign their dealers; an agent acts through the API too."""

from __future__ import annotations

from marketplace.accounts.api_keys import create_api_key
from marketplace.accounts.tables import Role, User
from marketplace.agents.assignments import agent_dealer_ids
from marketplace.agents.tables import AgentAction
from marketplace.matching.tables import TransferEvent
from marketplace.network.tables import Dealer
from tests.agents.helpers import make_agent
from tests.conftest import csrf_token
from tests.matching.network import build_network, stock


async def test_manager_creates_an_agent_and_assigns_provinces_and_dealers(manager):
    await build_network()
    token = await csrf_token(manager, "/network/users/new")
    created = await manager.post("/network/users/new", data={
        "_csrf_token": token, "email": "agente@network.example", "name": "Agente Lombardia", "role": "zone_agent",
        "dealer_code": "", "language": "it", "password": "a-long-password"})
    assert created.status_code == 303
    agent = await User.select(User.id, User.role, User.dealer).where(User.email == "agente@network.example").first()
    assert agent["role"] == "zone_agent" and agent["dealer"] is None
    tied = await manager.post("/network/users/new", data={
        "_csrf_token": token, "email": "altro@network.example", "role": "zone_agent", "dealer_code": "MI",
        "language": "it", "password": "a-long-password"})
    assert tied.status_code == 422 and "zone agents belong to no dealer" in tied.text

    listing = await manager.get("/network/agents")
    assert listing.status_code == 200 and "Agente Lombardia" in listing.text
    token = await csrf_token(manager, "/network/agents")
    saved = await manager.post(f"/network/agents/{agent['id']}", data={
        "_csrf_token": token, "provinces": "mi, mb", "dealers": "bg"})
    assert saved.status_code == 303
    codes = {r["code"] for r in await Dealer.select(Dealer.code).where(
        Dealer.id.is_in(await agent_dealer_ids(agent["id"])))}
    provinces = {r["province"] for r in await Dealer.select(Dealer.province).where(Dealer.code.is_in(["MI", "MZ"]))}
    assert provinces == {"MI", "MB"} and codes == {"MI", "MZ", "BG"}

    for fields, message in (({"provinces": "Milano", "dealers": ""}, "sigla di due lettere, es. MI: MILANO"),
                            ({"provinces": "", "dealers": "NOPE"}, "nessun concessionario ha questo codice: NOPE")):
        refused = await manager.post(f"/network/agents/{agent['id']}", data={"_csrf_token": token, **fields})
        assert refused.status_code == 422 and message in refused.text
    assert len(await agent_dealer_ids(agent["id"])) == 3  # a refused form changes nothing
    assert (await manager.post("/network/agents/999", data={"_csrf_token": token, "provinces": "MI"})).status_code == 404


async def test_an_agent_requests_through_the_api_for_its_dealer(client):
    await build_network()
    await stock("MZ", "03L 115 562", 5, "9.90")
    agent_id = await make_agent("agente@network.example", ["MI"])
    key = (await create_api_key(role=Role.zone_agent, dealer_id=None, user_id=agent_id)).key
    headers = {"Authorization": f"Bearer {key}", "X-Act-For": "mi"}
    created = await client.post("/api/v1/transfers", headers=headers,
                                json={"supplier": "MZ", "part_number": "03L115562", "quantity": 1})
    assert created.status_code == 201, created.text
    transfer_id = created.json()["id"]
    [event] = await TransferEvent.select(TransferEvent.actor).where(TransferEvent.transfer == transfer_id)
    assert event["actor"] == "agent:agente@network.example for dealer:MI"
    [logged] = await AgentAction.select(AgentAction.action, AgentAction.dealer.code.as_alias("dealer"))
    assert logged == {"action": "transfer_requested", "dealer": "MI"}
    # Without X-Act-For the agent is no dealer: it cannot request.
    alone = await client.post("/api/v1/transfers", headers={"Authorization": f"Bearer {key}"},
                              json={"supplier": "MZ", "part_number": "03L115562", "quantity": 1})
    assert alone.status_code == 403
