"""A zone agent acting for its dealer: search, request, answer, publish a feed as the dealer, every
action in the transfer timeline and the audit log, and the dealer sees them; 403 for a dealer that
is not the agent's, on pages and on the API."""

from __future__ import annotations

import re
from html import unescape

import httpx
import pytest

from marketplace.accounts.api_keys import create_api_key
from marketplace.accounts.tables import Role
from marketplace.agents.tables import AgentAction
from marketplace.matching.tables import Transfer, TransferEvent
from marketplace.network.tables import Dealer
from tests.agents.helpers import make_agent, signed_in_agent
from tests.conftest import csrf_token, make_user, sign_in
from tests.matching.network import build_network, stock

AGENT = "agente.mi@network.example"


@pytest.fixture
async def agent(client):
    """An agent coaching MI and MZ (hand-picked); another agent has BG."""
    await build_network()
    await stock("MZ", "03L 115 562", 5, "9.90")
    await stock("BG", "03L 115 562", 5, "9.50")
    await make_agent("agente.bg@network.example", ["BG"])
    agent_id = await signed_in_agent(client, AGENT, ["MI", "MZ"])
    return client, agent_id


async def _act_for(client, code: str) -> httpx.Response:
    token = await csrf_token(client, "/")
    return await client.post(f"/agents/act/{code}", data={"_csrf_token": token})


async def test_agent_acts_for_its_dealer_and_the_dealer_sees_every_action(agent, app):
    client, agent_id = agent
    home = await client.get("/agents", follow_redirects=True)
    assert home.status_code == 200 and "MI" in home.text and "Agisci per MI" in home.text

    assert (await _act_for(client, "MI")).status_code == 303
    page = await client.get("/")
    assert "Stai lavorando come" in page.text and "Dealer MI" in page.text

    # Search and one-click request, as MI.
    results = await client.get("/search", params={"q": "03L 115 562"})
    assert results.status_code == 200 and "MZ ·" in results.text
    block = results.text.split('name="supplier" value="MZ"')[1].split("</form>")[0]
    fields = dict(re.findall(r'name="(part_number|quantity|request_token)" value="([^"]*)"', block))
    token = await csrf_token(client, "/search")
    created = await client.post("/transfers/request", data={**fields, "supplier": "MZ", "_csrf_token": token})
    assert created.status_code == 303
    transfer = await Transfer.select().first()
    mi = (await Dealer.select(Dealer.id).where(Dealer.code == "MI").first())["id"]
    assert transfer["requester"] == mi

    # The timeline names the agent and the dealer.
    events = await TransferEvent.select(TransferEvent.actor).where(TransferEvent.transfer == transfer["id"])
    assert events[0]["actor"] == f"agent:{AGENT} for dealer:MI"
    detail = await client.get(f"/transfers/{transfer['id']}")
    assert f"dall'agente {AGENT} per MI" in unescape(detail.text)

    # Then as MZ (the supplier, also the agent's): accept.
    token = await csrf_token(client, "/")
    assert (await client.post("/agents/stop", data={"_csrf_token": token})).status_code == 303
    assert (await _act_for(client, "MZ")).status_code == 303
    token = await csrf_token(client, f"/transfers/{transfer['id']}")
    accepted = await client.post(f"/transfers/{transfer['id']}/accept", data={"_csrf_token": token})
    assert accepted.status_code == 303
    events = await TransferEvent.select(TransferEvent.actor, TransferEvent.to_status).order_by(TransferEvent.id)
    assert events[-1] == {"actor": f"agent:{AGENT} for dealer:MZ", "to_status": "accepted"}

    # Publish a feed as MZ.
    token = await csrf_token(client, "/stock/upload")
    feed = await client.post("/stock/upload", data={"_csrf_token": token, "mode": "delta"},
                             files={"file": ("feed.csv", b"part_number,quantity\n03L 115 562,7\n", "text/csv")})
    assert feed.status_code in (200, 303), feed.text[:500]

    # The audit log: every action, by whom, for whom.
    log = await AgentAction.select(AgentAction.action, AgentAction.dealer.code.as_alias("dealer"),
                                   AgentAction.agent).order_by(AgentAction.id)
    assert {r["agent"] for r in log} == {agent_id}
    assert [(r["action"], r["dealer"]) for r in log] == [
        ("act_started", "MI"), ("search", "MI"), ("transfer_requested", "MI"),
        ("act_started", "MZ"), ("transfer_accept", "MZ"), ("feed_published", "MZ")]

    # MI's own clerk sees what the agent did, on its page and in the timeline.
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as dealer:
        await make_user("banco@mi.example", Role.dealer_staff, "MI")
        await sign_in(dealer, "banco@mi.example")
        actions = await dealer.get("/agents/actions")
        assert actions.status_code == 200
        assert "ha richiesto un trasferimento" in unescape(actions.text) and "ha cercato nella rete" in unescape(actions.text)
        assert "ha accettato" not in unescape(actions.text)  # MZ's action is MZ's
        assert AGENT in unescape(actions.text) or "agente.mi" in unescape(actions.text)
        timeline = await dealer.get(f"/transfers/{transfer['id']}")
        assert f"dall'agente {AGENT} per MI" in unescape(timeline.text)


async def test_another_agents_dealer_is_403_on_pages_and_api(agent):
    client, agent_id = agent
    refused = await _act_for(client, "BG")
    assert refused.status_code == 403
    assert "BG" not in (await client.get("/")).text.split("<main")[0]  # still the agent, not BG
    assert not await AgentAction.exists().where(AgentAction.dealer.code == "BG")

    other_id = (await make_agent("terzo@network.example", ["TO"]))
    assert (await client.get(f"/agents/{other_id}")).status_code == 403
    assert (await client.get(f"/agents/{other_id}/call-list.csv")).status_code == 403

    key = (await create_api_key(role=Role.zone_agent, dealer_id=None, user_id=agent_id)).key
    headers = {"Authorization": f"Bearer {key}"}
    mine = await client.get(f"/api/v1/agents/{agent_id}/dealers", headers=headers)
    assert mine.status_code == 200 and [d["code"] for d in mine.json()["dealers"]] != []
    assert (await client.get(f"/api/v1/agents/{other_id}/dealers", headers=headers)).status_code == 403
    stock_bg = await client.get("/api/v1/stock/", headers={**headers, "X-Act-For": "BG"})
    assert stock_bg.status_code == 403
    # Naming a dealer the way a manager's key does is no way around it, for any dealer.
    for code in ("BG", "MZ"):
        assert (await client.get("/api/v1/stock/", params={"dealer": code}, headers=headers)).status_code == 403
        assert (await client.get("/api/v1/network/search", params={"q": "03L 115 562", "dealer": code},
                                 headers=headers)).status_code == 403
    dealer_key = (await create_api_key(role=Role.dealer_admin, dealer_id=(await Dealer.select(Dealer.id).where(
        Dealer.code == "MI").first())["id"])).key
    assert (await client.get("/api/v1/stock/", headers={"Authorization": f"Bearer {dealer_key}", "X-Act-For": "MI"})
            ).status_code == 403  # only an agent's key acts for a dealer
    stock_mz = await client.get("/api/v1/stock/", headers={**headers, "X-Act-For": "MZ"})
    assert stock_mz.status_code == 200
    assert all(item["unit_cost"] is None for item in stock_mz.json()["items"])


async def test_a_dealer_taken_away_stops_the_acting_session_at_once(agent):
    from marketplace.agents.assignments import set_assignment

    client, agent_id = agent
    await _act_for(client, "MI")
    assert "Stai lavorando come" in (await client.get("/")).text
    await set_assignment(agent_id, [], ["MZ"])
    assert "Stai lavorando come" not in (await client.get("/")).text
    assert (await client.get("/search")).status_code == 403
