"""What the network dashboard and a dealer's scorecard show, read from the monthly rollup.

The manager's dashboard: this month's network figures against the last 12 months (charts), a map
of the dealers coloured by a chosen figure, and the dealers' table sorted by any figure. Values at
a dealer's unit cost (its aged stock) are that dealer's only: the table shows the network's totals
and, per dealer, the change in percent and the units, never another dealer's costs.
"""

from __future__ import annotations

import csv
import io
import time
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal

from marketplace.csvfiles import safe_cell
from marketplace.db import read_connection
from marketplace.errors import Invalid
from marketplace.pulse.kpis import NETWORK, Kpis, kpis, month_window, online_orders_by_territory, region_scope, regions
from marketplace.pulse.rollup import all_dealers, dealer_key, months_of, refresh, rolled_up
from marketplace.settlement.periods import check_period, period_bounds, period_of

PAGE_SIZE = 50
VIEW_SECONDS = 60  # a sorted and coloured table is reused this long (a dealer renamed shows within it)
# (period, the month's parsed rollup, sort, order, colour) -> (made at, sorted rows, colours): the
# page views of a dashboard build 2,000 rows once, not per view (and leave the collector in peace).
_views: dict[tuple, tuple] = {}
TREND_MONTHS = 12

# The dealers' table's figures: (key, higher is better). Each is a sort key and a map colouring.
FIGURES: dict[str, bool] = {
    "time_saved_minutes": True,
    "requests_completed": True,
    "fill_rate": True,
    "time_to_fill_p50_hours": False,
    "supplier_response_p50_hours": False,
    "decline_rate": False,
    "expiry_rate": False,
    "aged_stock_value_change_pct": False,
    "aged_stock_sold_units": True,
    "portal_share": True,
    "online_orders": True,
    "referral_earned": True,
    "pickup_fees": True,
}
SORTS = ("code", "name", "city", *FIGURES)
# Five steps from worst to best (colour-blind safe: orange to blue), and grey for no figure.
SCALE = ("#b35806", "#f1a340", "#d8d8d8", "#998ec3", "#542788")
NO_FIGURE = "#ffffff"


@dataclass(slots=True)
class DealerRow:
    id: int
    code: str
    name: str
    city: str
    province: str
    lat: float | None
    lon: float | None
    active: bool
    figures: Kpis

    def value(self, key: str):
        if key in ("code", "name", "city", "province"):
            return getattr(self, key)
        return getattr(self.figures, key)


def months_back(period: str, count: int) -> list[str]:
    """``count`` months ending with ``period``, oldest first."""
    year, month = int(period[:4]), int(period[5:])
    out = []
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def check_sort(sort: str) -> str:
    if sort not in SORTS:
        raise Invalid(f"one of {', '.join(SORTS)}", "sort")
    return sort


def sort_rows(rows: list[DealerRow], sort: str, descending: bool) -> list[DealerRow]:
    """Sorted by the figure; dealers without it last, whichever the direction."""
    sort = check_sort(sort)
    known = [r for r in rows if r.value(sort) is not None]
    unknown = [r for r in rows if r.value(sort) is None]
    known.sort(key=lambda r: (r.value(sort), r.code), reverse=descending)
    return known + sorted(unknown, key=lambda r: r.code)


async def dealer_rows(period: str, now: datetime | None = None) -> list[DealerRow]:
    """Every dealer with its month's figures (from the rollup)."""
    figures = await all_dealers(period, now)
    async with read_connection() as connection:  # a report: a replica may answer
        dealers = await connection.fetch(
            "SELECT id, code, name, city, province, lat, lon, active FROM dealer WHERE NOT is_central_warehouse"
            " ORDER BY code")
    return [DealerRow(d["id"], d["code"], d["name"], d["city"], d["province"], d["lat"], d["lon"], d["active"],
                      figures.get(d["id"]) or Kpis(period=period, scope=dealer_key(d["id"])))
            for d in dealers]


def colour_of(value, values: list, higher_is_better: bool) -> str:
    """The value's step on the scale among all dealers' values (quintiles); ``values`` sorted."""
    if value is None or not values:
        return NO_FIGURE
    # The middle of the value's rank among equals: one dealer alone, or all alike, is in the middle.
    share = (bisect_left(values, value) + bisect_right(values, value)) / 2 / len(values)
    step = min(len(SCALE) - 1, int(share * len(SCALE)))
    return SCALE[step] if higher_is_better else SCALE[len(SCALE) - 1 - step]


async def trend(scope: str, period: str, now: datetime | None = None) -> list[tuple[str, Kpis | None]]:
    """The scope's figures for the last 12 months and this one (months never rolled up are rolled up
    now: the first view after a gap pays for it once)."""
    periods = months_back(period, TREND_MONTHS + 1)
    stored = await months_of(scope, periods)
    missing = [p for p in periods if p not in stored and _begun(p, now)]
    if missing:
        for p in missing:
            await refresh(p, now)
        stored = await months_of(scope, periods)
    return [(p, stored.get(p)) for p in periods]


def _begun(period: str, now: datetime | None) -> bool:
    return period_bounds(period)[0] <= (now or datetime.now(timezone.utc))


async def network_dashboard(period: str | None, sort: str, descending: bool, page: int, colour_by: str,
                            now: datetime | None = None, region: str = "") -> dict:
    """Everything the manager's dashboard shows for the month (this month by default); with a
    region, its figures (computed for its dealers: regions are not rolled up) and its dealers only."""
    now = now or datetime.now(timezone.utc)
    period = check_period(period) if period else period_of(now)
    month_window(period, now)
    check_sort(sort)
    if colour_by not in FIGURES:
        raise Invalid(f"one of {', '.join(FIGURES)}", "colour")
    network = (await rolled_up(period, ["network"], now)).get("network") or Kpis(period=period, scope="network")
    figures = await all_dealers(period, now)
    key = (period, id(figures), sort, descending, colour_by)
    kept = _views.get(key)
    if kept is None or kept[0] < time.monotonic() - VIEW_SECONDS:
        rows = sort_rows(await dealer_rows(period, now), sort, descending)
        values = sorted(r.value(colour_by) for r in rows if r.value(colour_by) is not None)
        colours = {r.id: colour_of(r.value(colour_by), values, FIGURES[colour_by]) for r in rows}
        if len(_views) > 64:
            _views.clear()
        kept = _views[key] = (time.monotonic(), rows, colours)
    _, rows, colours = kept
    scope_figures, provinces, scope = network, None, NETWORK
    if region:
        scope = await region_scope(region)
        scope_figures = await kpis(period, scope, now)
        provinces = set(regions()[scope.region])
        rows = [r for r in rows if r.province in provinces]
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(max(1, page), pages)
    months = await trend("network", period, now)
    return {"period": period, "network": scope_figures, "trend": months, "averages": averages(months[:-1]),
            "region": scope_figures.scope.removeprefix("region:") if region else "", "regions": list(regions()),
            "scope": scope,
            "territory_orders": (await online_orders_by_territory(period, now))[:10],
            "rows": rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE], "all_rows": rows, "page": page, "pages": pages,
            "sort": sort, "descending": descending, "colour_by": colour_by, "colours": colours,
            "scale": SCALE, "figures": list(FIGURES), "view_key": key}


AVERAGED = ("time_saved_minutes", "requests_completed", "fill_rate", "time_to_fill_p50_hours", "aged_stock_value",
            "aged_stock_sold_value", "active_dealers", "online_orders", "portal_share", "referral_earned", "pickup_fees",
            "hub_commissions", "platform_fees")


def averages(months: list[tuple[str, Kpis | None]]) -> dict[str, float | None]:
    """The mean of each figure over the months given (the 12 before this one), those with a value."""
    out = {}
    for key in AVERAGED:
        values = [float(getattr(k, key)) for _, k in months if k is not None and getattr(k, key) is not None]
        out[key] = round(sum(values) / len(values), 4) if values else None
    return out


CSV_COLUMNS = ("code", "name", "city", "province", *FIGURES)


def table_csv(rows: list[DealerRow]) -> bytes:
    """The dealers' table as CSV (semicolons and decimal commas, as Italian spreadsheets read it)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([_cell(row.value(key)) for key in CSV_COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (float, Decimal)):
        return str(value).replace(".", ",")
    return safe_cell(value)  # a name a spreadsheet would run as a formula is written as text


def _grouped(value: float, digits: int, language: str) -> str:
    text = f"{value:,.{digits}f}"
    return text.translate(str.maketrans(",.", ".,")) if language == "it" else text


def cell(key: str, value, language: str = "it") -> str:
    """One figure as the table shows it (formatted here: 650 cells a page through babel cost more
    than the rest of the page)."""
    if value is None:
        return "–"
    if key == "time_saved_minutes":
        return f"{value // 60} h {value % 60} min" if value >= 60 else f"{value} min"
    if key in ("fill_rate", "portal_share", "decline_rate", "expiry_rate", "supplier_on_time_rate"):
        return _grouped(float(value) * 100, 0, language) + "%"
    if key == "aged_stock_value_change_pct":
        return ("+" if value > 0 else "") + _grouped(float(value), 1, language) + "%"
    if key.endswith("_hours"):
        return _grouped(float(value), 1, language) + " h"
    if key in ("referral_earned", "pickup_fees", "hub_commissions", "platform_fees"):
        return _grouped(float(value), 2, language) + " €" if language == "it" else "€" + _grouped(float(value), 2, language)
    if isinstance(value, (int, float, Decimal)):
        return _grouped(float(value), 0, language)
    return str(value)
