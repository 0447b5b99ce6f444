"""The agents' audit log: everything a zone agent did acting for a dealer, for the dealer to see.

:func:`record_action` is the one way in: the web layer calls it for every request an acting agent
makes that changes something or searches (marketplace/agents/web_audit.py), and any domain may
call it inside its own transaction (``connection``) to record an action in its own words.
"""

from __future__ import annotations

import json

from marketplace.accounts.principal import Principal
from marketplace.agents.tables import AgentAction
from marketplace.db import raw_connection

# What the pages call each action (English ids, Italian in it.po).
LABELS = {
    "act_started": "opened your view",
    "search": "searched the network",
    "transfer_requested": "requested a transfer",
    "transfer_accept": "accepted a transfer",
    "transfer_decline": "declined a transfer",
    "transfer_ship": "shipped a transfer",
    "transfer_confirm": "confirmed an offer",
    "transfer_receive": "received a transfer",
    "transfer_cancel": "cancelled a transfer",
    "feed_published": "published a stock feed",
    "other": "another action",
}

_INSERT = "INSERT INTO agent_action (agent, dealer, action, subject, detail) VALUES ($1, $2, $3, $4, $5::jsonb)"


async def record_action(principal: Principal, action: str, subject: str = "", detail: dict | None = None,
                        connection=None) -> bool:
    """Record ``action`` when ``principal`` is an agent acting for a dealer (else nothing): whether
    it was recorded. With ``connection``, in that transaction."""
    if not principal.is_acting or principal.dealer_id is None:
        return False
    args = (principal.agent_user_id, principal.dealer_id, action[:40], subject[:300],
            json.dumps(detail or {}, default=str))
    if connection is not None:
        await connection.execute(_INSERT, *args)
    else:
        async with raw_connection() as own:
            await own.execute(_INSERT, *args)
    return True


_COLUMNS = (AgentAction.id, AgentAction.at, AgentAction.action, AgentAction.subject, AgentAction.detail,
            AgentAction.agent.email.as_alias("agent_email"), AgentAction.agent.name.as_alias("agent_name"),
            AgentAction.dealer.code.as_alias("dealer_code"), AgentAction.dealer.name.as_alias("dealer_name"))


async def actions_for_dealer(dealer_id: int, limit: int = 100) -> list[dict]:
    """What agents did for the dealer, newest first."""
    return await AgentAction.select(*_COLUMNS).where(AgentAction.dealer == dealer_id).order_by(
        AgentAction.at, ascending=False).order_by(AgentAction.id, ascending=False).limit(limit).output(load_json=True)


async def actions_by_agent(agent_id: int, limit: int = 100) -> list[dict]:
    """What the agent did for its dealers, newest first."""
    return await AgentAction.select(*_COLUMNS).where(AgentAction.agent == agent_id).order_by(
        AgentAction.at, ascending=False).order_by(AgentAction.id, ascending=False).limit(limit).output(load_json=True)
