"""The network pulse's pages: the phone-order log, the network dashboard (the manager's home), a
dealer's scorecard, and the dealers' table as CSV."""

from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from marketplace.accounts.auth import dealer_only, manager_only, signed_in
from marketplace.errors import Forbidden, Invalid
from marketplace.geo.svg_map import MapPoint, render_map
from marketplace.pulse import charts
from marketplace.pulse.api import DEALER_MESSAGE, agent_dealer_scope, costs_visible
from marketplace.pulse.dashboard import FIGURES, cell, network_dashboard, sort_rows, table_csv, trend
from marketplace.pulse.kpis import Kpis, costs_shareable, dealer_scope
from marketplace.pulse.phone_orders import log_phone_order
from marketplace.pulse.rollup import dealer_key, rolled_up
from marketplace.settlement.periods import check_period, period_of
from marketplace.web.forms import form_fields, safe_next
from marketplace.web.i18n import gettext_for
from marketplace.web.render import language_of, page


class PhoneOrderPages(Controller):
    path = "/pulse/phone-orders"
    guards = [dealer_only]
    include_in_schema = False

    @post("/")
    async def log(self, request: Request) -> Redirect:
        """One click from the search page: a part line bought from another dealer by phone."""
        form = await form_fields(request)
        await log_phone_order(request.user.dealer_id, request.user.user_id, form.get("number", ""))
        target = safe_next(form.get("next") or "/search")
        return Redirect(target + ("&" if "?" in target else "?") + "phoned=1", status_code=303)


def _page_number(value: str | None) -> int:
    try:
        return max(1, int(value or "1"))
    except ValueError:
        raise Invalid("a page number", "page")


def _label(period: str) -> str:
    return f"{period[5:]}/{period[2:4]}"


CHARTED = ("time_saved_minutes", "fill_rate", "referral_earned", "pickup_fees", "hub_commissions", "aged_stock_value",
           "aged_stock_value_9")


def trend_charts(language: str, months: list, *, costs: bool) -> dict[str, str]:
    """The charts of a scope's last 12 months and this one (SVG markup), in the language."""
    values = tuple((p, None if k is None else tuple(None if getattr(k, name) is None else float(getattr(k, name))
                                                    for name in CHARTED)) for p, k in months)
    return _drawn(language, values, costs)


@lru_cache(maxsize=512)
def _drawn(language: str, months: tuple, costs: bool) -> dict[str, str]:
    """Drawn once per language and figures: the same months give the same pictures (a few
    milliseconds each with pygal, kept until the figures change)."""
    t = gettext_for(language)
    labels = [_label(p) for p, _k in months]

    def series(name: str, scale: float = 1.0):
        at = CHARTED.index(name)
        return [None if k is None or k[at] is None else round(k[at] * scale, 2) for _p, k in months]

    out = {
        "time_saved": charts.bars(t("Hours saved against the phone"), labels,
                                  {t("hours"): series("time_saved_minutes", 1 / 60)}),
        "fill_rate": charts.line(t("Fill rate (within 3 working days)"), labels,
                                 {t("fill rate"): series("fill_rate", 100)}, unit=" %", range_=(0, 100)),
        "money": charts.bars(t("Earned per month (EUR)"), labels, {
            t("referrals"): series("referral_earned"), t("pickup fees"): series("pickup_fees"),
            t("hub commissions"): series("hub_commissions")}, stacked=True),
    }
    if costs:
        out["aged"] = charts.line(t("Aged stock at cost (EUR)"), labels, {
            t("no movement for 12 months"): series("aged_stock_value"),
            t("for 9 months"): series("aged_stock_value_9")})
    return out


def _charts(request: Request, months: list, costs: bool) -> dict[str, str]:
    return trend_charts(language_of(request), months, costs=costs)


class PulsePages(Controller):
    path = "/pulse"
    include_in_schema = False

    @get("/", guards=[manager_only], name="pulse:dashboard")
    async def dashboard(self, request: Request) -> Template:
        return await dashboard_page(request)

    @get("/dealers.csv", guards=[manager_only], media_type="text/csv")
    async def dealers_csv(self, request: Request, period: str = "", sort: str = "code", order: str = "asc") -> Response:
        """The dealers' table, every dealer, sorted as on the page."""
        data = await network_dashboard(period or None, sort, order == "desc", 1, "fill_rate")
        rows = sort_rows(data["all_rows"], sort, order == "desc")
        return Response(table_csv(rows), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="rete-{data["period"]}.csv"'})

    @get("/dealers/{code:str}", guards=[signed_in], name="pulse:scorecard")
    async def scorecard(self, request: Request, code: str, period: str = "") -> Template:
        """One dealer's scorecard: a manager any dealer's, a zone agent its dealers' (both without its
        costs), a dealer its own."""
        me = request.user
        if me.is_agent:
            scope = await agent_dealer_scope(me, code)
        else:
            scope = await dealer_scope(code)
            if not me.is_manager and scope.dealer_id != me.dealer_id:
                raise Forbidden(DEALER_MESSAGE, "dealer")
        now = datetime.now(timezone.utc)
        period = check_period(period) if period else period_of(now)
        key = dealer_key(scope.dealer_id)
        # A dealer that joined since the month was last rolled up has nothing yet: zeros, until the next refresh.
        figures = (await rolled_up(period, [key], now)).get(key) or Kpis(period=period, scope=key)
        months = await trend(key, period, now)
        costs = costs_visible(me, scope)  # not its zone agent, acting or not
        year = [k for p, k in months if p[:4] == period[:4] and k is not None]
        return page(request, "pulse/scorecard.html", code=scope.dealer_code, period=period, k=figures, costs=costs,
                    year_minutes=sum(k.time_saved_minutes for k in year), months=months,
                    charts=_charts(request, months, costs))


_maps: dict[tuple, str] = {}


async def dashboard_page(request: Request) -> Template:
    """The network dashboard (the manager's home): ``?period=&sort=&order=&page=&colour=``."""
    params = request.query_params
    data = await network_dashboard(params.get("period") or None, params.get("sort") or "time_saved_minutes",
                                   (params.get("order") or "desc") == "desc", _page_number(params.get("page")),
                                   params.get("colour") or "fill_rate", region=params.get("region") or "")
    map_svg = _maps.get(data["view_key"])
    if map_svg is None:  # drawn once per view of the table (its rows and colours are kept with it)
        points = [MapPoint(f"{r.code} · {r.name}", r.lat, r.lon, data["colours"][r.id])
                  for r in data["all_rows"] if r.lat is not None and r.lon is not None and r.active]
        if len(_maps) > 64:
            _maps.clear()
        map_svg = _maps[data["view_key"]] = render_map([], points, title=gettext_for(language_of(request))("Dealers"))
    language = language_of(request)
    cells = {r.id: [cell(key, r.value(key), language) for key in FIGURES] for r in data["rows"]}
    # A small region's totals would come close to one dealer's costs (pulse/kpis.py SMALL_REGION_DEALERS).
    region_costs = not data["region"] or costs_shareable(data["scope"])
    return page(request, "pulse/dashboard.html", **data, charts=_charts(request, data["trend"], True), cells=cells,
                region_costs=region_costs,
                map_svg=map_svg,
                figure_names=list(FIGURES))


async def dealer_scorecard(dealer_id: int):
    """This month's figures of one dealer (from the rollup), for its home page."""
    now = datetime.now(timezone.utc)
    key = dealer_key(dealer_id)
    return (await rolled_up(period_of(now), [key], now)).get(key) or Kpis(period=period_of(now), scope=key)
