"""Which dealers a zone agent coaches: every active dealer of its provinces, and the dealers a
manager hand-picked for it. Defined once here; the acting check (accounts' principal) and every
agent page and figure use :func:`agent_dealer_ids`."""

from __future__ import annotations

import re

from marketplace.accounts.tables import Role, User
from marketplace.agents.tables import AgentDealer, AgentProvince
from marketplace.db import raw_connection
from marketplace.errors import Invalid, NotFound
from marketplace.network.tables import Dealer

_PROVINCE = re.compile(r"^[A-Z]{2}$")
# Fixed texts (translated on the page), the codes at fault in the error's ``codes``.
PROVINCE_MESSAGE = "a province is its two-letter code, e.g. MI"
DEALER_MESSAGE = "no dealer has this code"

# An agent's dealers: its provinces' and its hand-picked ones, active only.
_MINE = """
SELECT d.id FROM dealer d
WHERE d.active AND (
    EXISTS (SELECT 1 FROM agent_province p WHERE p.agent = $1 AND p.province = d.province)
 OR EXISTS (SELECT 1 FROM agent_dealer a WHERE a.agent = $1 AND a.dealer = d.id))
ORDER BY d.code
"""


async def agent_dealer_ids(agent_id: int) -> list[int]:
    async with raw_connection() as connection:
        return [r["id"] for r in await connection.fetch(_MINE, agent_id)]


async def may_act_for(agent_id: int, dealer_id: int) -> bool:
    """Whether the dealer is one of the agent's (the check accounts' principal runs per request)."""
    async with raw_connection() as connection:
        return bool(await connection.fetchval(
            "SELECT EXISTS (SELECT 1 FROM dealer d WHERE d.id = $2 AND d.active AND ("
            " EXISTS (SELECT 1 FROM agent_province p WHERE p.agent = $1 AND p.province = d.province)"
            " OR EXISTS (SELECT 1 FROM agent_dealer a WHERE a.agent = $1 AND a.dealer = d.id)))",
            agent_id, dealer_id))


async def get_agent(agent_id: int) -> dict:
    """The zone agent with that user id; NotFound otherwise (a manager or a clerk is no agent)."""
    row = await User.select(User.id, User.email, User.name, User.active).where(
        (User.id == agent_id) & (User.role == Role.zone_agent)).first()
    if row is None:
        raise NotFound("no such zone agent", "agent")
    return row


async def list_agents() -> list[dict]:
    """Every zone agent with its provinces and hand-picked dealer codes."""
    agents = await User.select(User.id, User.email, User.name, User.active).where(
        User.role == Role.zone_agent).order_by(User.email)
    provinces = await AgentProvince.select(AgentProvince.agent, AgentProvince.province).order_by(AgentProvince.province)
    picked = await AgentDealer.select(AgentDealer.agent, AgentDealer.dealer.code.as_alias("code")).order_by(
        AgentDealer.dealer.code)
    for agent in agents:
        agent["provinces"] = [p["province"] for p in provinces if p["agent"] == agent["id"]]
        agent["dealers"] = [p["code"] for p in picked if p["agent"] == agent["id"]]
        agent["dealer_count"] = len(await agent_dealer_ids(agent["id"]))
    return agents


def parse_provinces(text: str) -> list[str]:
    """Province codes typed as "MI, BG  bs": two letters each."""
    codes = sorted({c.upper() for c in re.split(r"[\s,;]+", text or "") if c})
    wrong = [c for c in codes if not _PROVINCE.match(c)]
    if wrong:
        raise Invalid(PROVINCE_MESSAGE, "provinces", codes=wrong)
    return codes


async def set_assignment(agent_id: int, provinces: list[str], dealer_codes: list[str]) -> None:
    """Replace the agent's provinces and hand-picked dealers (a manager's page)."""
    await get_agent(agent_id)
    codes = sorted({c.strip().upper() for c in dealer_codes if c.strip()})
    dealers = {r["code"]: r["id"] for r in await Dealer.select(Dealer.id, Dealer.code).where(Dealer.code.is_in(codes))
               } if codes else {}
    missing = [c for c in codes if c not in dealers]
    if missing:
        raise Invalid(DEALER_MESSAGE, "dealers", codes=missing)
    wrong = [c for c in provinces if not _PROVINCE.match(c)]
    if wrong:
        raise Invalid(PROVINCE_MESSAGE, "provinces", codes=wrong)
    async with AgentDealer._meta.db.transaction():
        await AgentProvince.delete().where(AgentProvince.agent == agent_id)
        await AgentDealer.delete().where(AgentDealer.agent == agent_id)
        if provinces:
            await AgentProvince.insert(*[AgentProvince(agent=agent_id, province=p) for p in sorted(set(provinces))])
        if dealers:
            await AgentDealer.insert(*[AgentDealer(agent=agent_id, dealer=d) for d in dealers.values()])


async def agents_of_dealer(dealer_id: int) -> list[dict]:
    """The zone agents coaching a dealer (its page names them)."""
    async with raw_connection() as connection:
        rows = await connection.fetch(
            "SELECT u.id, u.email, u.name FROM network_user u JOIN dealer d ON d.id = $1"
            " WHERE u.role = 'zone_agent' AND u.active AND ("
            " EXISTS (SELECT 1 FROM agent_province p WHERE p.agent = u.id AND p.province = d.province)"
            " OR EXISTS (SELECT 1 FROM agent_dealer a WHERE a.agent = u.id AND a.dealer = d.id)) ORDER BY u.email",
            dealer_id)
    return [dict(r) for r in rows]
