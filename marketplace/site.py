"""The site's own pages, beside the app that serves them: health, readiness, home, about."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

from litestar import Request, Response, get
from litestar.response import Template
from litestar.status_codes import HTTP_503_SERVICE_UNAVAILABLE

from marketplace.accounts.auth import PUBLIC, signed_in
from marketplace.incentives.overview import overview as incentives_overview
from marketplace.inventory.tables import Part
from marketplace.migrate import pending_migrations
from marketplace.network.tables import Dealer
from marketplace.pulse.pages import dashboard_page, dealer_scorecard
from marketplace.settlement.periods import period_of
from marketplace.web.render import page


@get("/health", opt=PUBLIC)
async def health() -> Response:
    """200 when the database answers, 503 otherwise."""
    try:
        await Dealer.raw("SELECT 1")
    except Exception:
        return Response({"status": "unavailable"}, status_code=HTTP_503_SERVICE_UNAVAILABLE)
    return Response({"status": "ok"})


@get("/ready", opt=PUBLIC)
async def ready() -> Response:
    """200 when this process can serve: the database answers and no migration is pending (a load
    balancer sends traffic only then); 503 naming what is wrong otherwise."""
    try:
        # An exhausted pool or a hung server answers 503 in time, rather than hanging the probe.
        pending = await asyncio.wait_for(pending_migrations(), 2)
    except Exception:
        return Response({"status": "unavailable", "database": "unreachable"}, status_code=HTTP_503_SERVICE_UNAVAILABLE)
    if pending:
        return Response({"status": "unavailable", "database": "ok", "pending_migrations": pending},
                        status_code=HTTP_503_SERVICE_UNAVAILABLE)
    return Response({"status": "ok", "database": "ok", "pending_migrations": []})


@get("/", guards=[signed_in], include_in_schema=False)
async def home(request: Request) -> Template:
    me = request.user
    if me.is_manager:  # the manager's home is the network dashboard
        return await dashboard_page(request)
    dealer = await Dealer.select().where(Dealer.id == me.dealer_id).first() if me.dealer_id else None
    counts = {
        "dealers": await Dealer.count().where(Dealer.active.eq(True)),
        "parts": await Part.count(),
    }
    # A dealer's home opens with what the network did for it this month (docs/kpis.md).
    scorecard = await dealer_scorecard(me.dealer_id) if me.is_dealer and me.dealer_id else None
    incentives = await incentives_overview(me.dealer_code, period_of(datetime.now(timezone.utc))) \
        if me.is_dealer and me.dealer_id else None  # its tier's incentives, explained (docs/incentives.md)
    return page(request, "home.html", dealer=dealer, counts=counts, scorecard=scorecard, incentives=incentives)


@get("/about", opt=PUBLIC, include_in_schema=False)
async def about(request: Request) -> Template:
    return page(request, "about.html")


ROUTES = [health, ready, home, about]
