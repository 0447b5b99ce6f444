"""What the incentives book into the monthly settlement, called by settlement's compute() for the
month (a draft) before it reads the statements:

- **rebate** (urban): the month's online volume reaches a threshold -> that percentage of the
  fees the dealer bore in the month, credited by the network (line kind ``fee_rebate``);
- **fee_waiver** (new): the fees of the transactions booked in the free trial's days, credited
  back, so the dealer's statement shows the fee and its waiver side by side (net zero).

Each is computed afresh at every compute; what the ledger holds already for the dealer and month
is subtracted and only a difference is booked (a ledger entry is never edited), with the rules'
version and the figures it used. Entries sum to zero: the network pays, the dealer receives.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from marketplace.formatting import Formatter
from marketplace.incentives.figures import ZERO, Month, cents, month_figures
from marketplace.incentives.rules import Rules, rules_at
from marketplace.incentives.tables import AppliedKind, IncentiveBooking
from marketplace.incentives.tiers import tiers_at
from marketplace.network.tables import Dealer
from marketplace.settlement.ledger import NETWORK, Line, book, dealer_account
from marketplace.settlement.periods import period_bounds
from marketplace.settlement.tables import EntryKind, LedgerEntry

LINE_KINDS = {AppliedKind.rebate: "fee_rebate", AppliedKind.fee_waiver: "fee_waiver",
              AppliedKind.marketing: "marketing_contribution"}
_IT = Formatter("it")


def euro(amount: Decimal) -> str:
    """1.240,00 € (Italian)."""
    return _IT.money(amount)


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a month's online volume stands on the discount's ladder."""

    volume: Decimal
    pct: Decimal  # the discount reached (0 below the first threshold)
    threshold: Decimal | None  # the threshold reached
    next_threshold: Decimal | None  # the next one (None at the top)
    next_pct: Decimal | None
    missing: Decimal | None  # volume still needed for the next one

    def as_dict(self) -> dict:
        return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in asdict(self).items()}


def progress(volume: Decimal, rules: Rules) -> Progress:
    reached = [(t, p) for t, p in rules.steps if volume >= t]
    ahead = [(t, p) for t, p in rules.steps if volume < t]
    threshold, pct = reached[-1] if reached else (None, ZERO)
    next_threshold, next_pct = ahead[0] if ahead else (None, None)
    return Progress(volume, pct, threshold, next_threshold, next_pct,
                    next_threshold - volume if next_threshold is not None else None)


def rebate_description(period: str, p: Progress, fees: Decimal, amount: Decimal) -> str:
    text = (f"Sconto progressivo del {p.pct.normalize():f}% sulle commissioni di {period} ({euro(fees)}): "
            f"volume online {euro(p.volume)}, soglia di {euro(p.threshold)} raggiunta")
    if p.next_threshold is not None:
        text += f"; mancano {euro(p.missing)} per lo sconto del {p.next_pct.normalize():f}%"
    else:
        text += "; sconto massimo"
    return text


def rebate_due(month: Month, rules: Rules) -> tuple[Progress, Decimal]:
    p = progress(month.volume, rules)
    return p, cents(month.fees * p.pct / 100)


def trial_window(activated: datetime, rules: Rules) -> tuple[datetime, datetime]:
    return activated, activated + timedelta(days=rules.trial_days)


async def _booked(period: str) -> dict[tuple[int, str], tuple[Decimal, int]]:
    """(dealer, kind) -> (amount booked so far, bookings) for the month."""
    rows = await IncentiveBooking.raw(
        "SELECT dealer, kind, sum(amount) AS amount, count(*) AS n FROM incentive_booking WHERE period = {}"
        " GROUP BY dealer, kind", period)
    return {(r["dealer"], r["kind"]): (r["amount"], r["n"]) for r in rows}


async def book_incentive(kind: AppliedKind, dealer_id: int, code: str, period: str, amount: Decimal, n: int,
                         description: str, basis: dict, rules_version: int, at: datetime | None = None) -> int:
    """One incentive entry: the network pays ``amount`` to the dealer (a negative one takes it back)."""
    line_kind = LINE_KINDS[kind]
    entry_kind = {AppliedKind.rebate: EntryKind.rebate, AppliedKind.fee_waiver: EntryKind.fee_waiver,
                  AppliedKind.marketing: EntryKind.marketing}[kind]
    async with IncentiveBooking._meta.db.transaction():
        entry = await book(entry_kind, f"{kind.value}:{code}:{period}:{n}", [
            Line(NETWORK, line_kind, -amount), Line(dealer_account(code), line_kind, amount, dealer_id),
        ], description=description, at=at)
        # The month the entry counts in: ``period``, or the next open one when that is approved already.
        period = (await LedgerEntry.select(LedgerEntry.period).where(LedgerEntry.id == entry).first())["period"]
        await IncentiveBooking.insert(IncentiveBooking(dealer=dealer_id, period=period, kind=kind, amount=amount,
                                                       basis=basis, rules_version=rules_version, entry=entry))
    return entry


async def book_month(period: str, now: datetime | None = None) -> int:
    """Book the month's rebates and waivers (the differences from what is booked); how many entries."""
    start, end = period_bounds(period)
    now = now or datetime.now(timezone.utc)
    moment = min(end, now) - timedelta(microseconds=1)  # the tiers and rules at the month's end (or now)
    at = max(start, min(now, end - timedelta(seconds=1)))  # booked into the month itself
    rules = await rules_at(moment)
    tiers = await tiers_at(moment)
    dealers = {r["id"]: r for r in await Dealer.select(Dealer.id, Dealer.code, Dealer.created_at).where(
        Dealer.is_central_warehouse.eq(False))}
    urban = [i for i in dealers if tiers.get(i) == "urban"]
    windows = {}
    for i in dealers:
        if tiers.get(i) == "new":
            window = trial_window(dealers[i]["created_at"], rules)
            if window[0] < end and window[1] > start:
                windows[i] = window
    booked = await _booked(period)
    due: dict[tuple[int, str], tuple[Decimal, str, dict]] = {}
    for dealer_id, month in (await month_figures(period, urban)).items():
        p, amount = rebate_due(month, rules)
        if amount:
            due[(dealer_id, AppliedKind.rebate.value)] = (amount, rebate_description(period, p, month.fees, amount), {
                **p.as_dict(), "fees": str(month.fees), "handling_fees": str(month.handling_fees),
                "platform_fees": str(month.platform_fees)})
    for dealer_id, month in (await month_figures(period, list(windows), windows)).items():
        if month.fees:
            first, last = windows[dealer_id]
            due[(dealer_id, AppliedKind.fee_waiver.value)] = (month.fees, (
                f"Prova gratuita: commissioni di {period} non addebitate ({euro(month.fees)}; "
                f"dal {_IT.date(first.date())} al {_IT.date((last - timedelta(seconds=1)).date())})"), {
                "fees": str(month.fees), "handling_fees": str(month.handling_fees),
                "platform_fees": str(month.platform_fees), "from": first.isoformat(), "until": last.isoformat()})
    count = 0
    for key in sorted(set(due) | {k for k in booked if k[1] != AppliedKind.marketing.value}):
        dealer_id, kind = key
        amount, description, basis = due.get(key, (ZERO, "", {}))
        already, n = booked.get(key, (ZERO, 0))
        if amount == already or dealer_id not in dealers:
            continue
        if n:
            description = (description or "Incentivo non più dovuto") + f" (rettifica di {euro(already)} già registrati)"
        await book_incentive(AppliedKind(kind), dealer_id, dealers[dealer_id]["code"], period, amount - already, n + 1,
                             description, basis, rules.version, at)
        count += 1
    return count
