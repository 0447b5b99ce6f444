"""The demo seeds zone agents for a few provinces, their logins, and a year of "by agent" actions."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from marketplace.agents.assignments import agent_dealer_ids
from marketplace.agents.coaching import dealer_cards
from marketplace.piccolo_conf import DB
from marketplace.seed import seed_network
from marketplace.settlement.periods import period_of
from tests.conftest import sign_in


async def test_the_demo_has_agents_with_a_year_of_actions(client):
    logins = await seed_network(dealers=25, parts=400, seed=3, rows_per_dealer=60)
    agents = [login for login in logins if login.role == "zone_agent"]
    assert 1 <= len(agents) <= 3 and all(a.email.startswith("agente.") for a in agents)
    [agent] = await DB.run_ddl(f"SELECT id FROM network_user WHERE email = '{agents[0].email}'")
    assert await agent_dealer_ids(agent["id"])
    by_agent = await DB.run_ddl("SELECT count(*) AS n FROM transfer_event WHERE actor LIKE 'agent:%'")
    actions = await DB.run_ddl("SELECT action, count(*) AS n, min(at) AS first FROM agent_action GROUP BY action")
    counts = {r["action"]: r["n"] for r in actions}
    assert by_agent[0]["n"] > 0 and counts["transfer_requested"] >= by_agent[0]["n"]
    assert min(r["first"] for r in actions) < datetime.now(timezone.utc) - timedelta(days=200)
    now = datetime.now(timezone.utc)
    cards = await dealer_cards(agent["id"], period_of(now), now)
    assert sum(len(c.expiring) for c in cards) >= 1

    assert (await sign_in(client, agents[0].email, "demo-password")).status_code == 303
    page = await client.get(f"/agents/{agent['id']}")
    assert page.status_code == 200 and "Classifica di adozione" in page.text
