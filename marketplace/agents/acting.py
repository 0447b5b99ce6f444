"""A zone agent opening one of its dealers' view, and leaving it."""

from __future__ import annotations

from marketplace.accounts.sessions import set_acting_for
from marketplace.agents.assignments import get_agent, may_act_for
from marketplace.db import raw_connection
from marketplace.errors import Forbidden, NotFound
from marketplace.network.tables import Dealer


async def start_acting(agent_id: int, session_token: str, dealer_code: str) -> dict:
    """The agent's session acts for the dealer from the next request on; Forbidden for a dealer that
    is not the agent's (a code that names no dealer is not found). Recorded in the audit log."""
    await get_agent(agent_id)
    code = (dealer_code or "").strip().upper()
    dealer = await Dealer.select(Dealer.id, Dealer.code, Dealer.name).where(Dealer.code == code).first()
    if dealer is None:
        raise NotFound("no such dealer", "dealer")
    if not await may_act_for(agent_id, dealer["id"]):
        raise Forbidden("this dealer is not one of yours", "dealer")
    await set_acting_for(session_token, dealer["id"])
    async with raw_connection() as connection:
        await connection.execute(
            "INSERT INTO agent_action (agent, dealer, action, subject) VALUES ($1, $2, 'act_started', $3)",
            agent_id, dealer["id"], code)
    return dealer


async def stop_acting(session_token: str) -> None:
    await set_acting_for(session_token, None)
