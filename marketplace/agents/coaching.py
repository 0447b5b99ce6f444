"""What a zone agent's page shows about its dealers: their scorecards (pulse/kpis.py), an adoption
ranking, and what needs a call this week (docs/agents.md states each rule in words)."""

from __future__ import annotations

import csv
import inspect
import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from marketplace.agents.assignments import agent_dealer_ids
from marketplace.calendar import ROME
from marketplace.csvfiles import safe_cell
from marketplace.db import raw_connection
from marketplace.matching.transfers import EXPIRING_SOON_WORKING_HOURS, expiring_soon_until
from marketplace.network.rules import get_rules
from marketplace.pulse.kpis import Kpis, Scope, kpis, last_active_at, month_window

INACTIVE_DAYS = 14  # a dealer with no search, request or feed for this long needs a call
# A request still unanswered is "about to expire" as matching defines it (less than this many working hours left).
EXPIRING_HOURS = EXPIRING_SOON_WORKING_HOURS


def targets_missed_function():
    """The incentives domain's rule for a tier's targets (defined there once)."""
    from marketplace.incentives.tiers import targets_missed

    return targets_missed


@dataclass(slots=True)
class DealerCard:
    id: int
    code: str
    name: str
    city: str
    province: str
    tier: str
    billing_email: str
    last_feed_at: datetime | None
    last_active_at: datetime | None
    stale_feed: bool
    inactive: bool
    kpis: Kpis
    expiring: list[dict] = field(default_factory=list)
    targets_missed: list[str] | None = None  # None: incentives not installed
    rank: int = 0

    @property
    def off_portal(self) -> int:
        """Purchases off the portal: the part lines logged as ordered by phone (pulse's ``phone_orders``)."""
        return self.kpis.phone_orders

    @property
    def share(self) -> float | None:
        """Pulse's portal share: portal_requests / (portal_requests + phone_orders); None with neither."""
        return self.kpis.portal_share

    @property
    def reasons(self) -> list[str]:
        """Why the dealer is on this week's call list (English ids, Italian in it.po)."""
        found = []
        if self.inactive:
            found.append("not active for 14 days")
        if self.stale_feed:
            found.append("stock feed gone stale")
        if self.expiring:
            found.append("requests about to expire")
        if self.targets_missed:
            found.append("below its tier's targets")
        return found


# The agent's dealers; when each was last active is pulse's definition (pulse/kpis.py last_active_at).
_DEALERS = """
SELECT d.id, d.code, d.name, d.city, d.province, d.tier, d.billing_email, d.last_feed_at
FROM dealer d WHERE d.id = ANY($1::int[]) ORDER BY d.code
"""

# Requests waiting for an answer that run out within the window, where one of the dealers is a party.
_EXPIRING = """
SELECT t.id, t.requester, t.supplier, t.quantity, t.expires_at, p.part_number,
       r.code AS requester_code, s.code AS supplier_code
FROM transfer t JOIN part p ON p.id = t.part JOIN dealer r ON r.id = t.requester JOIN dealer s ON s.id = t.supplier
WHERE t.status = 'requested' AND t.expires_at > $2 AND t.expires_at <= $3
  AND (t.supplier = ANY($1::int[]) OR t.requester = ANY($1::int[]))
ORDER BY t.expires_at
"""


async def dealer_cards(agent_id: int, period: str, now: datetime | None = None,
                       dealer_ids: list[int] | None = None) -> list[DealerCard]:
    """The agent's dealers with the month's scorecard and what needs attention, ranked by adoption."""
    now = now or datetime.now(timezone.utc)
    ids = dealer_ids if dealer_ids is not None else await agent_dealer_ids(agent_id)
    if not ids:
        return []
    month_window(period, now)  # refuses a bad or future month before any query
    rules = await get_rules()
    async with raw_connection() as connection:
        rows = await connection.fetch(_DEALERS, ids)
        expiring = await connection.fetch(_EXPIRING, ids, now, expiring_soon_until(now))
    active = await last_active_at(ids)
    missed = targets_missed_function()
    cards = []
    for row in rows:
        figures = await kpis(period, Scope(row["id"], row["code"]), now)
        last = active.get(row["id"])
        cards.append(DealerCard(
            id=row["id"], code=row["code"], name=row["name"], city=row["city"], province=row["province"],
            tier=row["tier"], billing_email=row["billing_email"], last_feed_at=row["last_feed_at"],
            last_active_at=last, stale_feed=rules.is_stale(row["last_feed_at"], now),
            inactive=last is None or now - last > timedelta(days=INACTIVE_DAYS),
            kpis=figures,
            expiring=[dict(e) for e in expiring if row["id"] in (e["requester"], e["supplier"])],
            targets_missed=await _missed(missed, row["id"], period),
        ))
    return rank(cards)


async def _missed(function, dealer_id: int, period: str) -> list[str] | None:
    if function is None:
        return None
    result = function(dealer_id, period)
    if inspect.isawaitable(result):
        result = await result
    # A MissedTarget carries its Italian sentence ("ti mancano ..."); the card shows that.
    return [getattr(item, "message", None) or str(item) for item in (result or [])]


def rank(cards: list[DealerCard]) -> list[DealerCard]:
    """The adoption ranking: most time saved first, then most requests completed (parts received through
    the portal), then the larger portal share (a dealer with no purchase last among equals), then the code."""
    ordered = sorted(cards, key=lambda c: (-c.kpis.time_saved_minutes, -c.kpis.requests_completed,
                                           -(c.share if c.share is not None else -1), c.code))
    for position, card in enumerate(ordered, start=1):
        card.rank = position
    return ordered


def week_of(now: datetime) -> tuple[date, date]:
    """Monday and Sunday of the week (Rome) holding ``now``."""
    day = now.astimezone(ROME).date()
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def call_list(cards: list[DealerCard]) -> list[DealerCard]:
    """The dealers to call this week: those with a reason, most reasons first, then by rank."""
    return sorted((c for c in cards if c.reasons), key=lambda c: (-len(c.reasons), c.rank, c.code))


def call_list_csv(cards: list[DealerCard], translate) -> str:
    """The call list for a spreadsheet (semicolons, a BOM: Excel in Italy opens it as it is)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([translate("Dealer"), translate("Name"), translate("City"), translate("Province"),
                     translate("Email"), translate("Last activity"), translate("Why to call")])
    for card in call_list(cards):
        last = card.last_active_at.astimezone(ROME).strftime("%Y-%m-%d") if card.last_active_at else ""
        writer.writerow([safe_cell(v) for v in (card.code, card.name, card.city, card.province, card.billing_email, last,
                                                 ", ".join(translate(r) for r in card.reasons))])
    return "\ufeff" + out.getvalue()
