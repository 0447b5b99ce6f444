"""Zone agents for the tests: agents with hand-picked dealers, signed in over HTTP."""

from __future__ import annotations

from marketplace.accounts.tables import Role
from marketplace.agents.assignments import set_assignment
from tests.conftest import make_user, sign_in


async def make_agent(email: str, dealers: list[str] = (), provinces: list[str] = ()) -> int:
    user = await make_user(email, Role.zone_agent)
    await set_assignment(user.id, list(provinces), list(dealers))
    return user.id


async def signed_in_agent(client, email: str, dealers: list[str] = (), provinces: list[str] = ()) -> int:
    agent_id = await make_agent(email, dealers, provinces)
    response = await sign_in(client, email)
    assert response.status_code == 303
    return agent_id
