"""A dealer's own closure calendar (patron saint, August closure), edited by its admin.

The calendar's rule (what a working day is) stays in marketplace/calendar.py; this module keeps
the dealer's closed date ranges and hands them to it as :class:`~marketplace.calendar.Closures`.
Whose calendar counts: the supplier's for a transfer's answer and shipping deadlines, the source
dealer's for its acceptance of an online order and the days its parts travel, the pickup point's
dealer for the day an order is ready.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from marketplace import calendar
from marketplace.calendar import Closures
from marketplace.errors import Conflict, Invalid, NotFound
from marketplace.network.tables import Dealer, DealerClosure

MAX_DAYS = 45  # one closure at most this long (a whole August closure fits)
MAX_AHEAD_DAYS = 2 * 366  # no further ahead than two years
MAX_CLOSURES = 30  # current and future closures a dealer may keep
REASON_LENGTH = 100


@dataclass(frozen=True, slots=True)
class ClosureInput:
    starts_on: date | None
    ends_on: date | None
    reason: str = ""


def check_closure(closure: ClosureInput, today: date) -> ClosureInput:
    """A closure a dealer may save: both dates, the last not before the first, at most MAX_DAYS
    long, not over yet, starting within two years; a one-line reason of at most 100 characters."""
    if closure.starts_on is None:
        raise Invalid("give the first closed day", "starts_on")
    if closure.ends_on is None:
        raise Invalid("give the last closed day", "ends_on")
    if closure.ends_on < closure.starts_on:
        raise Invalid("the last day comes before the first", "ends_on")
    if (closure.ends_on - closure.starts_on).days + 1 > MAX_DAYS:
        raise Invalid("a closure lasts at most 45 days", "ends_on")
    if closure.ends_on < today:
        raise Invalid("this closure is already over", "ends_on")
    if closure.starts_on > today + timedelta(days=MAX_AHEAD_DAYS):
        raise Invalid("at most two years ahead", "starts_on")
    reason = closure.reason.strip()
    if len(reason) > REASON_LENGTH or any(unicodedata.category(c).startswith("C") for c in reason):
        raise Invalid("a reason on one line, at most 100 characters", "reason")
    return ClosureInput(closure.starts_on, closure.ends_on, reason)


async def _dealer_id(code: str) -> int:
    row = await Dealer.select(Dealer.id).where(Dealer.code == code.strip().upper()).first()
    if row is None:
        raise NotFound(f"no dealer with code {code}", "code")
    return row["id"]


async def list_closures(code: str, today: date | None = None) -> list[dict]:
    """The dealer's closures not over yet, soonest first."""
    today = today or calendar.today()
    return await DealerClosure.select(
        DealerClosure.id, DealerClosure.starts_on, DealerClosure.ends_on, DealerClosure.reason,
    ).where((DealerClosure.dealer == await _dealer_id(code)) & (DealerClosure.ends_on >= today)).order_by(
        DealerClosure.starts_on)


async def add_closure(code: str, closure: ClosureInput, now: datetime | None = None) -> int:
    """Save a closure (checked, not overlapping another of the dealer's): its id."""
    today = calendar.today(now)
    closure = check_closure(closure, today)
    dealer_id = await _dealer_id(code)
    async with DealerClosure._meta.db.transaction():
        # One dealer's closures are saved one at a time: the dealer row is the lock.
        await Dealer.select(Dealer.id).where(Dealer.id == dealer_id).lock_rows("NO KEY UPDATE").first()
        current = await DealerClosure.select(DealerClosure.starts_on, DealerClosure.ends_on).where(
            (DealerClosure.dealer == dealer_id) & (DealerClosure.ends_on >= today))
        if len(current) >= MAX_CLOSURES:
            raise Conflict("at most 30 closures to come: delete one first", "starts_on")
        for other in current:
            if closure.starts_on <= other["ends_on"] and other["starts_on"] <= closure.ends_on:
                raise Conflict("overlaps another closure: change or delete that one", "starts_on",
                               starts_on=str(other["starts_on"]), ends_on=str(other["ends_on"]))
        row = await DealerClosure.insert(DealerClosure(
            dealer=dealer_id, starts_on=closure.starts_on, ends_on=closure.ends_on, reason=closure.reason,
        )).returning(DealerClosure.id)
    return row[0]["id"]


async def delete_closure(code: str, closure_id: int) -> None:
    deleted = await DealerClosure.delete().where(
        (DealerClosure.id == closure_id) & (DealerClosure.dealer == await _dealer_id(code))).returning(DealerClosure.id)
    if not deleted:
        raise NotFound(f"no closure {closure_id}", "closure")


# --- the closures as the calendar reads them ------------------------------------------------

_OF = """
SELECT dealer, starts_on, ends_on FROM dealer_closure
WHERE dealer = ANY($1::int[]) AND ends_on >= $2 ORDER BY dealer, starts_on
"""


async def closures_for(connection, dealer_ids: list[int] | set[int], since: date | None = None) -> dict[int, Closures]:
    """Each dealer's closures ending from ``since`` (default: a month ago, enough for any deadline
    counted from now); a dealer with none is absent (use ``.get(id, NO_CLOSURES)``)."""
    since = since or calendar.today() - timedelta(days=31)
    ranges: dict[int, list[tuple[date, date]]] = {}
    for row in await connection.fetch(_OF, list(dealer_ids), since):
        ranges.setdefault(row["dealer"], []).append((row["starts_on"], row["ends_on"]))
    return {dealer: Closures(tuple(spans)) for dealer, spans in ranges.items()}


async def closures_of(connection, dealer_id: int, since: date | None = None) -> Closures:
    """One dealer's closures (see :func:`closures_for`)."""
    return (await closures_for(connection, [dealer_id], since)).get(dealer_id, calendar.NO_CLOSURES)


