"""The demo's zone agents: one for each of the three provinces with the most dealers (plus one
dealer picked by hand), a year of things they did for their dealers, and a few requests they made
today that are about to expire, so the agent's page has something to show on first start."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from marketplace.accounts.passwords import hash_password
from marketplace.accounts.principal import Principal, acting
from marketplace.accounts.tables import Role, User
from marketplace.agents.assignments import agent_dealer_ids, set_assignment
from marketplace.db import raw_connection
from marketplace.errors import DomainError
from marketplace.seed import DEMO_DOMAIN, DEMO_PASSWORD, DemoLogin

AGENT_PROVINCES = 3
SHARE_BY_AGENT = 6  # about one request in six of an agent's dealers was made by the agent for it
EXPIRING_MINUTES = 75
QUIET_DEALERS = 2


async def seed_agents(seed: int = 1) -> list[DemoLogin]:
    rng = random.Random(seed * 7919)
    async with raw_connection() as connection:
        provinces = [r["province"] for r in await connection.fetch(
            "SELECT province FROM dealer WHERE active AND NOT is_central_warehouse AND province <> ''"
            " GROUP BY province ORDER BY count(*) DESC, province LIMIT $1", AGENT_PROVINCES)]
        elsewhere = await connection.fetch(
            "SELECT code FROM dealer WHERE active AND NOT is_central_warehouse AND NOT (province = ANY($1::text[]))"
            " ORDER BY code LIMIT $2", provinces, len(provinces))
    password_hash = hash_password(DEMO_PASSWORD)
    logins = []
    for index, province in enumerate(provinces):
        email = f"agente.{province.lower()}@{DEMO_DOMAIN}"
        user = User(email=email, name=f"Agente {province}", role=Role.zone_agent, password_hash=password_hash)
        await user.save()
        picked = [elsewhere[index]["code"]] if index < len(elsewhere) else []
        await set_assignment(user.id, [province], picked)
        await _history(user.id, email, rng)
        quiet = await _quiet_dealers(user.id, rng)
        await _expiring_requests(quiet, Principal(role=Role.zone_agent, dealer_id=None, dealer_code=None, user_id=user.id,
                                           email=email, name=user.name), rng)
        logins.append(DemoLogin(email, Role.zone_agent.value, None))
    return logins


# The seeded year's requests of the agent's dealers, one in SHARE_BY_AGENT made by the agent: the
# timeline says so, and the audit log has the opening of the dealer's view, the search and the request.
_BY_AGENT = """
WITH chosen AS (
    SELECT e.id AS event, t.id AS transfer, t.requester, d.code, e.at, p.part_number
    FROM transfer t JOIN transfer_event e ON e.transfer = t.id AND e.to_status = 'requested'
    JOIN dealer d ON d.id = t.requester JOIN part p ON p.id = t.requested_part
    WHERE t.requester = ANY($1::int[]) AND (hashtext(t.id::text || $3::text) & 1023) < 1024 / $4::int
), relabelled AS (
    UPDATE transfer_event e SET actor = 'agent:' || $2::text || ' for dealer:' || c.code FROM chosen c WHERE e.id = c.event
    RETURNING c.*
)
INSERT INTO agent_action (at, agent, dealer, action, subject, detail)
SELECT r.at - interval '3 minutes', $5::int, r.requester, 'act_started', r.code, '{}'::jsonb FROM relabelled r
UNION ALL
SELECT r.at - interval '2 minutes', $5::int, r.requester, 'search', r.part_number, '{"path": "/search"}'::jsonb FROM relabelled r
UNION ALL
SELECT r.at, $5::int, r.requester, 'transfer_requested', '#' || r.transfer,
       jsonb_build_object('path', '/transfers/request', 'transfer_id', r.transfer) FROM relabelled r
"""

# And now and then a feed published for a dealer whose system was down.
_FEEDS = """
INSERT INTO agent_action (at, agent, dealer, action, subject, detail)
SELECT now() - interval '1 day' * (7 + (hashtext(d.code || $3::text) & 255)), $2::int, d.id, 'feed_published', '',
       '{"path": "/stock/upload"}'::jsonb
FROM dealer d WHERE d.id = ANY($1::int[]) AND (hashtext(d.code || $3::text) & 3) = 0
"""


async def _history(agent_id: int, email: str, rng: random.Random) -> None:
    ids = await agent_dealer_ids(agent_id)
    salt = str(rng.randrange(1 << 30))
    async with raw_connection() as connection:
        await connection.execute(_BY_AGENT, ids, email, salt, SHARE_BY_AGENT, agent_id)
        await connection.execute(_FEEDS, ids, agent_id, salt)


async def _quiet_dealers(agent_id: int, rng: random.Random) -> list[int]:
    """Two of the agent's dealers whose feeds stopped some weeks ago: on its page (inactive, stale)
    and on its call list."""
    ids = await agent_dealer_ids(agent_id)
    quiet = rng.sample(ids, min(QUIET_DEALERS, len(ids)))
    async with raw_connection() as connection:
        for index, dealer_id in enumerate(quiet):
            await connection.execute("UPDATE dealer SET last_feed_at = now() - $2 * interval '1 day' WHERE id = $1",
                                     dealer_id, 16 + 5 * index)
    return quiet


async def _expiring_requests(quiet: list[int], agent: Principal, rng: random.Random) -> None:
    """Two requests the agent made this morning for its dealers, still unanswered and about to
    expire: made through the same function a clerk's click calls, then brought near their deadline."""
    from marketplace.agents.audit import record_action
    from marketplace.matching.transfers import TransferRequest, request_transfer

    ids = await agent_dealer_ids(agent.user_id)
    if not ids:
        return
    async with raw_connection() as connection:
        offers = await connection.fetch(
            "SELECT d.code AS supplier, p.part_number FROM stock_item s JOIN dealer d ON d.id = s.dealer"
            " JOIN part p ON p.id = s.part WHERE s.shared AND s.on_hand - s.reserved >= 1 AND d.active"
            " AND NOT (d.id = ANY($1::int[])) ORDER BY s.dealer, s.part LIMIT 50", ids)
        dealers = await connection.fetch("SELECT id, code, name FROM dealer WHERE id = ANY($1::int[])"
                                         " AND NOT (id = ANY($2::int[])) ORDER BY code", ids, quiet)
    made = 0
    for dealer in rng.sample(list(dealers), min(2, len(dealers))):
        if not offers:
            return
        offer = offers[rng.randrange(len(offers))]
        principal = acting(agent, dealer["id"], dealer["code"], dealer["name"])
        try:
            transfer_id, _ = await request_transfer(principal, TransferRequest(offer["supplier"], offer["part_number"], 1))
        except DomainError:
            continue
        await record_action(principal, "transfer_requested", f"#{transfer_id}",
                            {"path": "/transfers/request", "transfer_id": transfer_id})
        async with raw_connection() as connection:
            await connection.execute("UPDATE transfer SET expires_at = $2 WHERE id = $1", transfer_id,
                                     datetime.now(timezone.utc) + timedelta(minutes=EXPIRING_MINUTES + 15 * made))
        made += 1
