"""JSON API: the network pulse's figures for a month (a manager any scope, a dealer its own)."""

from __future__ import annotations

from litestar import Controller, Request, get

from marketplace.accounts.auth import signed_in
from marketplace.errors import Forbidden
from marketplace.pulse.kpis import NETWORK, Kpis, Scope, dealer_scope, kpis, region_scope
from marketplace.pulse.schemas import KpisOut


async def scope_for(principal, dealer: str, region: str = "") -> Scope:
    """A manager reads the network, a region or the dealer named; a dealer reads only its own figures."""
    if principal.is_manager:
        if dealer.strip():
            return await dealer_scope(dealer)
        return await region_scope(region) if region.strip() else NETWORK
    if region.strip():
        raise Forbidden("a dealer sees only its own figures", "region")
    own = Scope(principal.dealer_id, principal.dealer_code)
    if dealer.strip() and dealer.strip().upper() != principal.dealer_code:
        raise Forbidden("a dealer sees only its own figures", "dealer")
    return own


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
        only (403 for another dealer's or a region)."""
        scope = await scope_for(request.user, dealer, region)
        # A dealer's own costs, summed over one dealer, are that dealer's to see; the network's
        # totals mix every dealer's and are the network's.
        return shape(await kpis(period, scope), costs_visible=scope.dealer_id is None or request.user.is_dealer)
