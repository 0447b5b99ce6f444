"""JSON API: the network pulse's figures for a month (a manager any scope, a dealer its own)."""

from __future__ import annotations

from litestar import Controller, Request, get

from marketplace.accounts.auth import signed_in
from marketplace.agents.assignments import may_act_for
from marketplace.errors import Forbidden
from marketplace.pulse.kpis import NETWORK, Kpis, Scope, costs_shareable, dealer_scope, kpis, region_scope
from marketplace.pulse.schemas import KpisOut

AGENT_MESSAGE = "a zone agent sees only its own dealers' figures"
DEALER_MESSAGE = "a dealer sees only its own figures"


async def scope_for(principal, dealer: str, region: str = "") -> Scope:
    """A manager reads the network, a region or the dealer named; a zone agent (as itself) one of the
    dealers it coaches; a dealer (or an agent acting for it) only its own figures."""
    if principal.is_manager:
        if dealer.strip():
            return await dealer_scope(dealer)
        return await region_scope(region) if region.strip() else NETWORK
    if principal.is_agent:
        if not dealer.strip():
            raise Forbidden(AGENT_MESSAGE, "region" if region.strip() else "dealer")
        return await agent_dealer_scope(principal, dealer)
    if region.strip():
        raise Forbidden(DEALER_MESSAGE, "region")
    own = Scope(principal.dealer_id, principal.dealer_code)
    if dealer.strip() and dealer.strip().upper() != principal.dealer_code:
        raise Forbidden(DEALER_MESSAGE, "dealer")
    return own


async def agent_dealer_scope(principal, code: str) -> Scope:
    """The dealer's scope for a zone agent that may act for it (agents/assignments.py); 403 otherwise."""
    scope = await dealer_scope(code)
    if principal.user_id is None or not await may_act_for(principal.user_id, scope.dealer_id):
        raise Forbidden(AGENT_MESSAGE, "dealer")
    return scope


def costs_visible(principal, scope: Scope) -> bool:
    """Figures valued at unit cost: a dealer's own (not to its zone agent acting for it), and the
    totals of the network or of a region large enough to hide each dealer's (pulse/kpis.py)."""
    if scope.dealer_id is not None:
        return principal.is_dealer and not principal.is_acting and principal.dealer_id == scope.dealer_id
    return costs_shareable(scope)


def shape(figures: Kpis, *, costs_visible: bool = True) -> KpisOut:
    """The figures as answered; ``costs_visible`` false leaves out those valued at the dealer's unit
    cost (what a dealer paid for its parts is its own business, not the network's)."""
    return KpisOut(
        period=figures.period, scope=figures.scope, time_saved_minutes=figures.time_saved_minutes,
        requests_completed=figures.requests_completed, fill_rate=figures.fill_rate,
        time_to_fill_p50_hours=figures.time_to_fill_p50_hours,
        aged_stock_value=figures.aged_stock_value if costs_visible else None,
        aged_stock_value_change_pct=figures.aged_stock_value_change_pct,
        aged_stock_sold_value=figures.aged_stock_sold_value if costs_visible else None, active_dealers=figures.active_dealers,
        online_orders=figures.online_orders, referral_earned=figures.referral_earned, pickup_fees=figures.pickup_fees,
    )


class KpisApi(Controller):
    path = "/api/v1/kpis"
    tags = ["pulse"]

    @get("/", guards=[signed_in])
    async def read(self, request: Request, period: str = "", dealer: str = "", region: str = "") -> KpisOut:
        """One month's figures (``?period=YYYY-MM``) for the network, a region (``&region=Lombardia``,
        its dealers by province) or one dealer (``&dealer=CODE``). A dealer's key reads its own figures
        only (403 for another dealer's or a region), a zone agent's those of its dealers (without costs)."""
        scope = await scope_for(request.user, dealer, region)
        return shape(await kpis(period, scope), costs_visible=costs_visible(request.user, scope))
