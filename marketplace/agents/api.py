"""JSON API: a zone agent's dealers with their key adoption figures (the agent itself, or a manager)."""

from __future__ import annotations

from datetime import datetime, timezone

import msgspec
from litestar import Controller, Request, get

from marketplace.accounts.auth import signed_in
from marketplace.agents.access import check_may_view, period_or_current
from marketplace.agents.assignments import get_agent
from marketplace.agents.coaching import dealer_cards


class AgentDealerOut(msgspec.Struct):
    """One of the agent's dealers: who it is and its month's adoption figures (docs/agents.md)."""

    code: str
    name: str
    city: str
    province: str
    tier: str
    rank: int  # in the agent's adoption ranking
    active: bool  # pulse's "active dealer" at the month's end (or now)
    last_active_at: datetime | None
    inactive_14_days: bool
    stale_feed: bool
    last_feed_at: datetime | None
    time_saved_minutes: int
    requests_completed: int  # parts received through the portal in the month
    off_portal_purchases: int  # pulse's phone_orders: part lines logged as ordered by phone
    portal_share: float | None  # pulse's portal_share: portal_requests / (portal_requests + phone_orders)
    fill_rate: float | None
    online_orders: int
    requests_about_to_expire: int
    targets_missed: list[str] | None  # None: the tier targets are not available


class AgentDealersOut(msgspec.Struct):
    agent_id: int
    agent_email: str
    period: str
    dealers: list[AgentDealerOut]


class AgentApi(Controller):
    path = "/api/v1/agents"
    tags = ["agents"]

    @get("/{agent_id:int}/dealers", guards=[signed_in])
    async def dealers(self, request: Request, agent_id: int, period: str = "") -> AgentDealersOut:
        """The agent's dealers (``?period=YYYY-MM``, this month by default), ranked by adoption. An
        agent's key reads its own dealers only (403 for another agent's); a manager's any agent's."""
        check_may_view(request.user, agent_id)
        agent = await get_agent(agent_id)
        period = period_or_current(period)
        cards = await dealer_cards(agent_id, period, datetime.now(timezone.utc))
        return AgentDealersOut(agent_id=agent_id, agent_email=agent["email"], period=period, dealers=[
            AgentDealerOut(
                code=c.code, name=c.name, city=c.city, province=c.province, tier=c.tier, rank=c.rank,
                active=bool(c.kpis.active_dealers), last_active_at=c.last_active_at, inactive_14_days=c.inactive,
                stale_feed=c.stale_feed, last_feed_at=c.last_feed_at, time_saved_minutes=c.kpis.time_saved_minutes,
                requests_completed=c.kpis.requests_completed, off_portal_purchases=c.off_portal, portal_share=c.share,
                fill_rate=c.kpis.fill_rate, online_orders=c.kpis.online_orders,
                requests_about_to_expire=len(c.expiring), targets_missed=c.targets_missed)
            for c in cards])
