"""The network pulse's figures, each defined once, for a month and a scope (the network, a region, a dealer).

docs/kpis.md states every definition in words and works one month out by hand. One computation
(:func:`compute`) reads a month's rows once for a set of dealers (all of them, a region's, or one)
and gives every dealer's figures and the set's total from the same rows: the API and the scorecard
ask for one scope; the rollup (``pulse/rollup.py``) stores every dealer's and the network's so the
dashboard reads them instead of recomputing.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from marketplace.calendar import ROME, add_working_days
from marketplace.db import raw_connection, read_connection
from marketplace.errors import NotFound
from marketplace.network.rules import get_rules
from marketplace.settlement.periods import check_begun, period_of

FILL_WORKING_DAYS = 3  # a line counts as filled when received by the end of the 3rd working day after it was asked
AGED_MONTHS = 12  # stock with no movement for this long is aged
WATCH_MONTHS = 9  # ... and for this long, on its way to it
ACTIVE_DAYS = 30  # a dealer that searched, requested or published within this many days is active
# A region with fewer dealers than this shows no figure valued at unit cost: its total would come
# close to revealing one dealer's costs (docs/kpis.md, "Who sees what").
SMALL_REGION_DEALERS = 5
STAGES = ("request_to_accepted", "accepted_to_shipped", "shipped_to_received")
ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class Scope:
    """The network (no dealers named), a region (its dealers) or one dealer."""

    dealer_id: int | None = None
    dealer_code: str | None = None
    region: str | None = None
    region_dealers: tuple[int, ...] = ()

    @property
    def name(self) -> str:
        if self.dealer_code:
            return f"dealer:{self.dealer_code}"
        return f"region:{self.region}" if self.region else "network"

    @property
    def dealer_ids(self) -> list[int] | None:
        """The dealers the scope covers, None for the whole network."""
        if self.dealer_id is not None:
            return [self.dealer_id]
        return list(self.region_dealers) if self.region else None


NETWORK = Scope()


def costs_shareable(scope: Scope) -> bool:
    """Whether the scope's figures valued at unit cost may be shown to someone other than a dealer
    looking at its own: the network's totals, and a region's with at least
    :data:`SMALL_REGION_DEALERS` dealers; never one dealer's."""
    if scope.dealer_id is not None:
        return False
    return not scope.region or len(scope.region_dealers) >= SMALL_REGION_DEALERS


@dataclass(slots=True)
class Kpis:
    period: str
    scope: str
    time_saved_minutes: int = 0
    requests_completed: int = 0
    fill_rate: float | None = None  # None when no line was judged
    time_to_fill_p50_hours: float | None = None  # None when nothing was received
    aged_stock_value: Decimal = ZERO
    aged_stock_value_change_pct: float | None = None  # None without a snapshot to compare with
    aged_stock_sold_units: int = 0
    aged_stock_sold_value: Decimal = ZERO
    active_dealers: int = 0
    online_orders: int = 0
    referral_earned: Decimal = ZERO
    pickup_fees: Decimal = ZERO
    # --- the further figures of the dashboard and the scorecard
    time_to_fill_p90_hours: float | None = None
    stage_p50_hours: dict[str, float | None] = field(default_factory=dict)
    stage_p90_hours: dict[str, float | None] = field(default_factory=dict)
    demand_lines: int = 0  # lines judged (filled + missed)
    filled_lines: int = 0
    searches_not_found: int = 0  # searched lines the network had nowhere
    aged_stock_value_9: Decimal = ZERO  # no movement for 9 months or more
    phone_orders: int = 0
    portal_requests: int = 0  # transfers requested in the month (not cancelled by the requester)
    portal_share: float | None = None  # portal_requests / (portal_requests + phone_orders)
    fresh_feeds: int = 0  # dealers whose last feed is within the network's staleness limit
    dealers: int = 0  # active dealers in the scope
    # As a supplier: requests received in the month, answered within the SLA, declined, expired.
    supplier_requests: int = 0
    supplier_on_time: int = 0
    supplier_declined: int = 0
    supplier_expired: int = 0
    supplier_response_p50_hours: float | None = None
    hub_commissions: Decimal = ZERO
    platform_fees: Decimal = ZERO

    @property
    def time_saved_hours(self) -> tuple[int, int]:
        return divmod(self.time_saved_minutes, 60)

    def rate(self, part: int) -> float | None:
        return round(part / self.supplier_requests, 4) if self.supplier_requests else None

    @property
    def supplier_on_time_rate(self) -> float | None:
        return self.rate(self.supplier_on_time)

    @property
    def decline_rate(self) -> float | None:
        return self.rate(self.supplier_declined)

    @property
    def expiry_rate(self) -> float | None:
        return self.rate(self.supplier_expired)

    def to_json(self) -> dict:
        return {f.name: (str(v) if isinstance(v := getattr(self, f.name), Decimal) else v) for f in fields(self)}

    @classmethod
    def from_json(cls, data: dict) -> Kpis:
        money = {f.name for f in fields(cls) if f.type in ("Decimal", Decimal)}
        return cls(**{k: (Decimal(v) if k in money else v) for k, v in data.items() if k in cls.__dataclass_fields__})


async def dealer_scope(code: str) -> Scope:
    """The scope of the dealer with that code; NotFound naming ``dealer`` otherwise."""
    code = (code or "").strip().upper()
    async with raw_connection() as connection:  # the primary: a dealer created a moment ago is found
        found = await connection.fetchval("SELECT id FROM dealer WHERE code = $1", code) if code else None
    if found is None:
        raise NotFound(f"no dealer {code or '(empty)'}", "dealer")
    return Scope(found, code)


def regions() -> dict[str, tuple[str, ...]]:
    """Each region's province codes (from the bundled gazetteer)."""
    from marketplace.geo.gazetteer import get_gazetteer

    found: dict[str, list[str]] = defaultdict(list)
    for area, _ in get_gazetteer().provinces:
        found[area.region].append(area.province_code)
    return {region: tuple(codes) for region, codes in sorted(found.items())}


def _region_key(name: str) -> str:
    """A region's name as compared: case, apostrophes (' or ’), hyphens and spaces do not matter."""
    folded = (name or "").replace("\u2019", "'").replace("`", "'").casefold()
    return "".join(ch for ch in folded if ch.isalnum())


def find_region(name: str) -> str | None:
    """The gazetteer's name of the region typed, in either of a bilingual region's names
    ("Valle d'Aosta", "Vallée d'Aoste", "Trentino-Alto Adige", "Friuli Venezia Giulia") or in full."""
    wanted: dict[str, str] = {}
    for region in regions():
        wanted[_region_key(region)] = region
        for part in region.split("/"):
            wanted.setdefault(_region_key(part), region)
    key = _region_key(name)
    return wanted.get(key) if key else None


async def region_scope(name: str) -> Scope:
    """The scope of a region's dealers (by their province); NotFound naming ``region`` otherwise."""
    region = find_region(name)
    if region is None:
        raise NotFound(f"no region {name or '(empty)'}", "region")
    async with raw_connection() as connection:
        ids = await connection.fetch("SELECT id FROM dealer WHERE province = ANY($1::text[]) ORDER BY id",
                                     list(regions()[region]))
    return Scope(region=region, region_dealers=tuple(r["id"] for r in ids))


def month_window(period: str, now: datetime | None = None) -> tuple[datetime, datetime, datetime]:
    """The month's first instant, the next month's, and the moment its stock figures are taken at:
    the month's end once it is over, now while it runs. A month not begun is refused."""
    now = now or datetime.now(timezone.utc)
    start, end = check_begun(period, now)
    return start, end, min(end, now)


async def kpis(period: str, scope: Scope = NETWORK, now: datetime | None = None) -> Kpis:
    """Every figure of one month for one scope."""
    total, _ = await compute(period, scope.dealer_ids, now)
    total.scope = scope.name
    return total


def _percentile(values: list[float], share: float) -> float | None:
    """The median for 0.5 (the mean of the two middle values when even); otherwise the
    nearest-rank percentile (the smallest value with at least ``share`` of them at or below it)."""
    if not values:
        return None
    if share == 0.5:
        return round(statistics.median(values), 1)
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return round(ordered[int(rank) - 1], 1)


def _hours(later: datetime | None, earlier: datetime | None) -> float | None:
    return (later - earlier).total_seconds() / 3600 if later and earlier else None


async def compute(period: str, dealer_ids: list[int] | None, now: datetime | None = None
                  ) -> tuple[Kpis, dict[int, Kpis]]:
    """The month's figures for a set of dealers (None: the network): their total, and each dealer's."""
    now = now or datetime.now(timezone.utc)
    start, end, as_of = month_window(period, now)
    rules = await get_rules()
    baseline = rules.phone_minutes_per_line
    async with read_connection() as connection:
        dealers = await connection.fetch(
            "SELECT id, active, last_feed_at FROM dealer WHERE ($1::int[] IS NULL OR id = ANY($1::int[]))", dealer_ids)
        completed = await connection.fetch(_COMPLETED.format(mine=_mine("t.requester", dealer_ids)), start, end, dealer_ids)
        requests = await connection.fetch(_REQUESTS.format(mine=_mine("t.requester", dealer_ids, other="t.supplier")),
                                          start - timedelta(days=1), end + timedelta(days=1), dealer_ids)
        searched = await connection.fetch(_SEARCHED.format(mine=_mine("s.dealer", dealer_ids)), start, end, dealer_ids)
        aged = await _aged_stock(connection, period, as_of, now, dealer_ids)
        baselines = await connection.fetch(_BASELINES.format(mine=_mine("dealer", dealer_ids, 1)), dealer_ids)
        sold = await connection.fetch(_AGED_SOLD.format(supplier=_mine("t.supplier", dealer_ids),
                                                        seller=_mine("l.source_dealer", dealer_ids)),
                                      start, end, dealer_ids)
        active = await connection.fetch(_ACTIVE.format(mine=_mine("d.id", dealer_ids)),
                                        as_of - timedelta(days=ACTIVE_DAYS), as_of, dealer_ids)
        orders = await connection.fetch(_ONLINE_ORDERS, start, end, dealer_ids)
        money = await connection.fetch(_LEDGER.format(mine=_mine("l.dealer", dealer_ids, 2)), period, dealer_ids)
        phoned = await connection.fetch(_PHONED.format(mine=_mine("dealer", dealer_ids)), start, end, dealer_ids)

    scope = set(dealer_ids) if dealer_ids is not None else None
    total = Kpis(period=period, scope="network")
    each: dict[int, Kpis] = {r["id"]: Kpis(period=period, scope=f"dealer:{r['id']}") for r in dealers}
    mine = (lambda d: d in each) if scope is None else (lambda d: d in scope)

    def add(dealer: int | None, name: str, value) -> None:
        if dealer is not None and mine(dealer):
            setattr(each[dealer], name, getattr(each[dealer], name) + value)
            setattr(total, name, getattr(total, name) + value)

    # Requests completed, time saved, time to fill and its stages (the requester's).
    fill_hours: dict = defaultdict(list)
    stage_hours: dict = defaultdict(lambda: defaultdict(list))
    for r in completed:
        add(r["requester"], "requests_completed", 1)
        add(r["requester"], "time_saved_minutes", minutes_saved(r["created_at"], r["searched_at"], baseline))
        for key in (r["requester"], None):
            fill_hours[key].append(_hours(r["received_at"], r["created_at"]))
            for stage, (later, earlier) in zip(STAGES, (("accepted_at", "created_at"), ("shipped_at", "accepted_at"),
                                                       ("received_at", "shipped_at"))):
                if (hours := _hours(r[later], r[earlier])) is not None:
                    stage_hours[key][stage].append(hours)

    # Fill rate: the month's demand lines; the portal's requests; the supplier's answers.
    lines = demand_lines(searched, requests, start, end)
    for (dealer, _, _), asked in lines.items():
        if not mine(dealer):
            continue
        verdict = line_verdict(asked, now)
        if verdict is not None:
            add(dealer, "demand_lines", 1)
            add(dealer, "filled_lines", int(verdict))
    response_hours: dict = defaultdict(list)
    for r in requests:
        if not start <= r["created_at"] < end:
            continue
        add(r["requester"], "portal_requests", 1)
        if mine(r["supplier"]):
            add(r["supplier"], "supplier_requests", 1)
            add(r["supplier"], "supplier_on_time", int(r["answered_at"] is not None and r["answered_at"] <= r["expires_at"]))
            add(r["supplier"], "supplier_declined", int(r["status"] == "declined"))
            add(r["supplier"], "supplier_expired", int(r["status"] == "expired"))
            if r["answered_at"] is not None:
                for key in (r["supplier"], None):
                    response_hours[key].append(_hours(r["answered_at"], r["created_at"]))
    for r in searched:
        if not r["found"] and r["own_available"] < r["quantity"]:
            add(r["dealer"], "searches_not_found", 1)
    for r in phoned:
        add(r["dealer"], "phone_orders", r["n"])

    # Aged stock, its change since the dealer's first snapshot, and what the network sold of it.
    first = {r["dealer"]: r["value_12"] for r in baselines}
    for r in aged:
        if dealer_ids is not None or r["active"]:  # the network counts its active dealers
            add(r["dealer"], "aged_stock_value", r["value_12"])
            add(r["dealer"], "aged_stock_value_9", r["value_9"])
    for r in sold:
        add(r["dealer"], "aged_stock_sold_units", r["units"])
        add(r["dealer"], "aged_stock_sold_value", r["value"])

    # Adoption: active dealers, fresh feeds, online orders.
    for r in active:
        add(r["id"], "active_dealers", 1)
    for r in dealers:
        add(r["id"], "dealers", int(r["active"]))
        fresh = r["active"] and r["last_feed_at"] is not None and not rules.is_stale(r["last_feed_at"], as_of)
        add(r["id"], "fresh_feeds", int(fresh))
    for r in orders:  # the query keeps the scope's: at its points or with a line it sold
        for dealer in {r["point_dealer"], *r["sellers"]}:
            if dealer is not None and mine(dealer):
                each[dealer].online_orders += 1
    total.online_orders = len(orders)

    # Money from the ledger.
    for r in money:
        name = {"referral": "referral_earned", "pickup_fee": "pickup_fees", "hub_commission": "hub_commissions"}.get(r["kind"])
        if name:
            add(r["dealer"], name, r["amount"])
    if dealer_ids is None:
        async with read_connection() as connection:
            total.platform_fees = await connection.fetchval(_PLATFORM, period)

    # The derived figures, per dealer and for the total.
    for key, kpi in [*each.items(), (None, total)]:
        kpi.time_saved_minutes = round(kpi.time_saved_minutes)
        kpi.fill_rate = round(kpi.filled_lines / kpi.demand_lines, 4) if kpi.demand_lines else None
        kpi.time_to_fill_p50_hours = _percentile(fill_hours[key], 0.5)
        kpi.time_to_fill_p90_hours = _percentile(fill_hours[key], 0.9)
        kpi.stage_p50_hours = {s: _percentile(stage_hours[key][s], 0.5) for s in STAGES}
        kpi.stage_p90_hours = {s: _percentile(stage_hours[key][s], 0.9) for s in STAGES}
        kpi.supplier_response_p50_hours = _percentile(response_hours[key], 0.5)
        asked = kpi.portal_requests + kpi.phone_orders
        kpi.portal_share = round(kpi.portal_requests / asked, 4) if asked else None
    for dealer, kpi in each.items():
        kpi.aged_stock_value_change_pct = _change(kpi.aged_stock_value, first.get(dealer))
    counted = [d for d in each if d in first and mine(d) and (dealer_ids is not None or each[d].dealers)]
    total.aged_stock_value_change_pct = _change(sum((each[d].aged_stock_value for d in counted), ZERO),
                                                sum((first[d] for d in counted), ZERO) if counted else None)
    return total, each


def _change(now: Decimal, then: Decimal | None) -> float | None:
    """The change in percent from ``then`` to ``now``, to one decimal; None without a base."""
    if then is None or then == 0:
        return None
    return round(float((now - then) / then * 100), 1)


def _mine(column: str, dealer_ids: list[int] | None, param: int = 3, other: str | None = None) -> str:
    """The scope's condition on ``column`` (or either of two): its dealers, or for the network none
    (still naming the parameter, so every scope passes the same arguments). Written per scope rather
    than as ``$n IS NULL OR ...`` so a dealer's query uses the index on its column."""
    if dealer_ids is None:
        return f"${param}::int[] IS NULL"
    if other:
        return f"({column} = ANY(${param}::int[]) OR {other} = ANY(${param}::int[]))"
    return f"{column} = ANY(${param}::int[])"


# --- time saved, requests completed, time to fill -----------------------------------------------

def minutes_saved(requested_at: datetime, searched_at: datetime | None, baseline: int) -> float:
    """Time saved on one completed request: the phone baseline less the portal time, which runs from
    the search the request came from to the request and is capped at the baseline. A request with no
    search (made without searching, or for an online order) saves nothing: we do not claim what we
    cannot measure."""
    if searched_at is None:
        return 0.0
    portal = (requested_at - searched_at).total_seconds() / 60
    return baseline - min(baseline, max(0.0, portal))


# A request completed in the month: its part received then. Its search: the search line it was
# linked to when made (matching/search_lines.py). The timeline's first accepted and shipped steps.
_COMPLETED = """
SELECT t.id, t.requester, t.created_at, s.at AS searched_at, e.at AS received_at,
       (SELECT min(a.at) FROM transfer_event a WHERE a.transfer = t.id AND a.to_status = 'accepted') AS accepted_at,
       (SELECT min(a.at) FROM transfer_event a WHERE a.transfer = t.id AND a.to_status = 'shipped') AS shipped_at
FROM transfer t
JOIN transfer_event e ON e.transfer = t.id AND e.to_status = 'received'
LEFT JOIN search_line s ON s.id = t.search_line
WHERE e.at >= $1 AND e.at < $2 AND {mine}
"""


# --- fill rate, requests as a supplier -----------------------------------------------------------

# Every request made around the month, bar those the requester cancelled: its line (the search it
# came from, or its own part and moment), its answer and its arrival.
_REQUESTS = """
SELECT t.requester, t.supplier, t.status, t.created_at, t.expires_at,
       coalesce(s.number, p.normalized) AS number, coalesce(s.at, t.created_at) AS asked_at,
       (SELECT min(e.at) FROM transfer_event e WHERE e.transfer = t.id
          AND e.to_status IN ('accepted', 'offered', 'declined')) AS answered_at,
       (SELECT min(e.at) FROM transfer_event e WHERE e.transfer = t.id AND e.to_status = 'received') AS received_at
FROM transfer t
JOIN part p ON p.id = t.requested_part
LEFT JOIN search_line s ON s.id = t.search_line
WHERE t.created_at >= $1 AND t.created_at < $2 AND t.status <> 'cancelled' AND {mine}
"""

# The month's searched lines the searcher did not hold enough of (found in the network or not).
_SEARCHED = """
SELECT s.dealer, s.number, s.at, s.found, s.own_available, s.quantity
FROM search_line s
WHERE s.at >= $1 AND s.at < $2 AND s.own_available < s.quantity AND {mine}
"""


def demand_lines(searched: list, requests: list, start: datetime, end: datetime) -> dict[tuple, list]:
    """The month's demand: one line per dealer, part number and day (Rome) on which it searched for a
    part it did not hold or asked the network for one; each with its requests' arrival times (None
    for a search alone, or a request not received)."""
    lines: dict[tuple, list] = {}
    for r in searched:
        key = (r["dealer"], r["number"], r["at"].astimezone(ROME).date())
        lines.setdefault(key, []).append((r["at"], None))
    for r in requests:
        key = (r["requester"], r["number"], r["asked_at"].astimezone(ROME).date())
        lines.setdefault(key, []).append((r["asked_at"], r["received_at"] or False))
    month = {d.date() for d in (start.astimezone(ROME), (end - timedelta(seconds=1)).astimezone(ROME))}
    first, last = min(month), max(month)
    return {key: asked for key, asked in lines.items() if first <= key[2] <= last}


def line_verdict(asked: list, now: datetime) -> bool | None:
    """Filled (True) when a request of the line arrived by the end of the third working day after the
    line was first asked; missed (False) once that has passed without; None (pending) before."""
    deadline = add_working_days(min(at for at, _ in asked), FILL_WORKING_DAYS + 1)
    if any(received and received < deadline for _, received in asked):
        return True
    return False if deadline <= now else None


# --- aged stock -----------------------------------------------------------------------------

# Stock on hand whose last movement (from the dealer's feed) is 9 / 12 months or more before the day
# the figure is taken, at unit cost (a row with no unit cost or no movement date is not counted).
_AGED_LIVE = """
SELECT s.dealer, d.active,
       coalesce(sum(s.on_hand * s.unit_cost) FILTER (WHERE s.last_movement_date <= ($1::date - interval '12 months')::date),
                0)::numeric(14, 2) AS value_12,
       coalesce(sum(s.on_hand * s.unit_cost), 0)::numeric(14, 2) AS value_9
FROM stock_item s JOIN dealer d ON d.id = s.dealer
WHERE s.on_hand > 0 AND s.last_movement_date <= ($1::date - interval '9 months')::date AND {mine}
GROUP BY s.dealer, d.active
"""

_AGED_SNAPSHOT = """
SELECT a.dealer, d.active, a.value_12, a.value_9 FROM aged_stock_snapshot a JOIN dealer d ON d.id = a.dealer
WHERE a.period = $1 AND {mine}
"""

# Each dealer's first snapshot: its aged stock when it joined (or when snapshots began).
_BASELINES = """
SELECT DISTINCT ON (dealer) dealer, value_12 FROM aged_stock_snapshot WHERE {mine} ORDER BY dealer, period
"""


def as_of_day(as_of: datetime):
    return (as_of - timedelta(microseconds=1)).astimezone(ROME).date()  # the last day the figure covers


async def _aged_stock(connection, period: str, as_of: datetime, now: datetime, dealer_ids: list[int] | None) -> list:
    """A closed month's figure is its snapshot; the running month's (or a closed month never
    snapshotted) is read from the feeds' rows now."""
    if period != period_of(now):
        rows = await connection.fetch(_AGED_SNAPSHOT.format(mine=_mine("a.dealer", dealer_ids, 2)),
                                      period, dealer_ids)
        if rows:
            return rows
    return await connection.fetch(_AGED_LIVE.format(mine=_mine("s.dealer", dealer_ids, 2)),
                                  as_of_day(as_of), dealer_ids)


# Units the scope sold through the network in the month from a row that was aged when sold: parts
# shipped on a transfer (dated by the shipment; aged by the row's last movement recorded when the
# transfer was made) and collected online orders filled from the seller's own stock (dated by the
# order; judged on the row's last movement as it stands, when before the sale). Lines filled by a
# transfer count with the transfer.
_AGED_SOLD = """
WITH sold AS (
    SELECT t.supplier AS dealer, t.part, t.quantity, (e.at AT TIME ZONE 'Europe/Rome')::date AS day,
           t.source_moved_on AS moved
    FROM transfer t JOIN transfer_event e ON e.transfer = t.id AND e.to_status = 'shipped'
    WHERE e.at >= $1 AND e.at < $2 AND {supplier}
  UNION ALL
    SELECT l.source_dealer, l.part, l.quantity, (o.created_at AT TIME ZONE 'Europe/Rome')::date, NULL
    FROM order_line l JOIN customer_order o ON o.id = l."order"
    WHERE o.status = 'collected' AND l.transfer IS NULL AND o.created_at >= $1 AND o.created_at < $2
      AND {seller}
)
SELECT sold.dealer, sum(sold.quantity)::int AS units,
       sum(sold.quantity * coalesce(s.unit_cost, 0))::numeric(14, 2) AS value
FROM sold JOIN stock_item s ON s.dealer = sold.dealer AND s.part = sold.part
WHERE coalesce(sold.moved, s.last_movement_date) <= (sold.day - interval '12 months')::date
GROUP BY sold.dealer
"""


# --- adoption -------------------------------------------------------------------------------

# Active dealers that searched (a recorded search line), requested a transfer or published a feed in
# the 30 days up to the moment the figure is taken.
_ACTIVE = """
SELECT d.id FROM dealer d
WHERE d.active AND {mine} AND (
       EXISTS (SELECT 1 FROM search_line s WHERE s.dealer = d.id AND s.at > $1 AND s.at <= $2)
    OR EXISTS (SELECT 1 FROM transfer t WHERE t.requester = d.id AND t.created_at > $1 AND t.created_at <= $2)
    OR EXISTS (SELECT 1 FROM stock_feed f WHERE f.dealer = d.id AND f.applied AND f.received_at > $1
                                            AND f.received_at <= $2)
    OR (d.last_feed_at > $1 AND d.last_feed_at <= $2))
"""

# The last evidence of activity the figure above counts (a search line, a request made, a feed
# published), at any date: what "active" means, for those who need the moment rather than the count.
_LAST_ACTIVE = """
SELECT d.id, GREATEST(
         (SELECT max(s.at) FROM search_line s WHERE s.dealer = d.id),
         (SELECT max(t.created_at) FROM transfer t WHERE t.requester = d.id),
         (SELECT max(f.received_at) FROM stock_feed f WHERE f.dealer = d.id AND f.applied),
         d.last_feed_at) AS last_active_at
FROM dealer d WHERE d.id = ANY($1::int[])
"""


async def last_active_at(dealer_ids: list[int]) -> dict[int, datetime | None]:
    """Each dealer's last activity as ``active_dealers`` counts it (searched, requested, published);
    None for a dealer with none. A dealer is active at ``t`` when this is within ACTIVE_DAYS of ``t``."""
    if not dealer_ids:
        return {}
    async with raw_connection() as connection:
        rows = await connection.fetch(_LAST_ACTIVE, list(dealer_ids))
    return {r["id"]: r["last_active_at"] for r in rows}


# Online orders placed in the month that the customer confirmed (or that went on to be placed,
# readied or collected): the dealer of the pickup point, the dealers who sold a line, the territory.
_ONLINE_ORDERS = """
SELECT o.id, p.dealer AS point_dealer, o.territory_owner,
       array(SELECT DISTINCT l.source_dealer FROM order_line l WHERE l."order" = o.id) AS sellers
FROM customer_order o JOIN pickup_point p ON p.id = o.pickup_point
WHERE o.created_at >= $1 AND o.created_at < $2
  AND (o.confirmed_at IS NOT NULL OR o.status IN ('placed', 'ready_for_pickup', 'collected'))
  AND ($3::int[] IS NULL OR p.dealer = ANY($3::int[])
       OR EXISTS (SELECT 1 FROM order_line l WHERE l."order" = o.id AND l.source_dealer = ANY($3::int[])))
"""

_PHONED = """
SELECT dealer, count(*)::int AS n FROM phone_order WHERE at >= $1 AND at < $2 AND {mine} GROUP BY dealer
"""


# --- money ----------------------------------------------------------------------------------

# Referral commissions, pickup fees and hub commissions booked in the month's ledger period
# (reversals included, so a cancelled sale nets out), owed to dealers.
_LEDGER = """
SELECT l.dealer, l.kind, sum(l.amount)::numeric(14, 2) AS amount
FROM ledger_line l JOIN ledger_entry e ON e.id = l.entry
WHERE e.period = $1 AND l.kind IN ('referral', 'pickup_fee', 'hub_commission') AND l.dealer IS NOT NULL
  AND {mine}
GROUP BY l.dealer, l.kind
"""

_PLATFORM = """
SELECT coalesce(sum(l.amount), 0)::numeric(14, 2) FROM ledger_line l JOIN ledger_entry e ON e.id = l.entry
WHERE e.period = $1 AND l.kind = 'platform_fee'
"""


async def online_orders_by_territory(period: str, now: datetime | None = None) -> list[dict]:
    """The month's online orders per territory owner (None: no dealer's territory)."""
    start, end, _ = month_window(period, now)
    async with read_connection() as connection:
        rows = await connection.fetch(
            "SELECT d.code, d.name, count(*)::int AS orders FROM customer_order o LEFT JOIN dealer d ON d.id = o.territory_owner"
            " WHERE o.created_at >= $1 AND o.created_at < $2"
            " AND (o.confirmed_at IS NOT NULL OR o.status IN ('placed', 'ready_for_pickup', 'collected'))"
            " GROUP BY d.code, d.name ORDER BY orders DESC, d.code", start, end)
    return [dict(r) for r in rows]
