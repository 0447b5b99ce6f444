"""The monthly settlement: statements per account and the payments settling their closing
balances; draft -> approved -> exported -> paid (its payments booked into the ledger)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from marketplace.calendar import ROME, is_working_day
from marketplace.db import raw_connection
from marketplace.errors import Conflict, Invalid, NotFound
from marketplace.network.rules import get_rules
from marketplace.outbox.messages import emit
from marketplace.settlement.clearing import Payment, payments_for
from marketplace.settlement.ledger import Line, book
from marketplace.settlement.period_lock import lock_period_exclusive, lock_settlement_months
from marketplace.settlement.periods import check_period, period_bounds
from marketplace.settlement.tables import (
    EntryKind,
    LedgerLine,
    Settlement,
    SettlementPayment,
    SettlementStatement,
    SettlementStatus,
)

PAYMENTS_KIND = EntryKind.settlement_payment.value  # the line kind too

ZERO = Decimal("0.00")

# Called with the period inside compute()'s transaction before the statements are read: other
# domains book what the month owes (incentives' rebates and waivers) through ledger.book().
_BEFORE_COMPUTE: list = []


def before_compute(hook) -> None:
    """Register ``async hook(period)`` (once: registering again is harmless)."""
    if hook not in _BEFORE_COMPUTE:
        _BEFORE_COMPUTE.append(hook)


@dataclass
class Statement:
    account: str
    dealer_id: int | None
    opening: Decimal = ZERO
    totals: dict[str, Decimal] = field(default_factory=dict)  # this month's lines by kind
    carried: Decimal = ZERO  # the part of the closing balance this month's payments leave

    @property
    def movement(self) -> Decimal:
        return sum(self.totals.values(), ZERO)

    @property
    def closing(self) -> Decimal:
        return self.opening + self.movement


# Each account's lines before the period (opening) and in it, by kind: one pass over the ledger.
_AGGREGATE = """
SELECT l.account, max(l.dealer) AS dealer, l.kind,
       COALESCE(sum(l.amount) FILTER (WHERE e.period < $1), 0) AS before,
       COALESCE(sum(l.amount) FILTER (WHERE e.period = $1), 0) AS movement
FROM ledger_line l JOIN ledger_entry e ON e.id = l.entry
WHERE e.period <= $1
GROUP BY l.account, l.kind
"""


async def statements(period: str) -> list[Statement]:
    by_account: dict[str, Statement] = {}
    async with raw_connection() as connection:
        for row in await connection.fetch(_AGGREGATE, period):
            statement = by_account.setdefault(row["account"], Statement(row["account"], row["dealer"]))
            statement.opening += row["before"]
            if row["movement"]:
                statement.totals[row["kind"]] = row["movement"]
        # A line booked without its dealer's id (corrections, imports): the account's code names it.
        unknown = [s.account.removeprefix("dealer:") for s in by_account.values()
                   if s.dealer_id is None and s.account.startswith("dealer:")]
        if unknown:
            ids = {r["code"]: r["id"] for r in await connection.fetch(
                "SELECT code, id FROM dealer WHERE code = ANY($1::text[])", unknown)}
            for s in by_account.values():
                if s.dealer_id is None and s.account.startswith("dealer:"):
                    s.dealer_id = ids.get(s.account.removeprefix("dealer:"))
    return sorted(by_account.values(), key=lambda s: s.account)


def payment_date_for(period: str, today: date) -> date:
    """When the bank moves the money: the 10th of the following month (the next weekday), or the
    next weekday after today when that is already past."""
    end = period_bounds(period)[1].astimezone(ROME).date()
    day = max(end + timedelta(days=9), today + timedelta(days=1))
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


async def compute(period: str, today: date | None = None) -> int:
    """Compute (or recompute) the period's draft; same ledger, same figures. Approved is locked."""
    check_period(period)
    rules = await get_rules()
    async with Settlement._meta.db.transaction():
        found = await Settlement.select(Settlement.id, Settlement.status).where(
            Settlement.period == period).lock_rows().first()
        if found and found["status"] != SettlementStatus.draft:
            raise Conflict(f"the settlement of {period} is {found['status']}: it is locked", "period",
                           status=found["status"])
        values = {Settlement.computed_at: datetime.now(timezone.utc), Settlement.clearing: rules.clearing,
                  Settlement.minimum_payout: rules.minimum_payout,
                  Settlement.payment_date: payment_date_for(period, today or datetime.now(ROME).date())}
        if found:
            settlement_id = found["id"]
            await SettlementStatement.delete().where(SettlementStatement.settlement == settlement_id)
            await SettlementPayment.delete().where(SettlementPayment.settlement == settlement_id)
            await Settlement.update(values).where(Settlement.id == settlement_id)
        else:
            settlement_id = (await Settlement.insert(Settlement(
                period=period, **{column._meta.name: value for column, value in values.items()},
            )).returning(Settlement.id))[0]["id"]
        for hook in _BEFORE_COMPUTE:
            await hook(period)
        found_statements = await statements(period)
        try:
            payments = payments_for({s.account: s.closing for s in found_statements}, rules.clearing,
                                    rules.minimum_payout)
        except ValueError as error:
            raise Conflict(str(error), "ledger")
        _carry(found_statements, payments)
        if found_statements:
            await SettlementStatement.insert(*[
                SettlementStatement(settlement=settlement_id, account=s.account, dealer=s.dealer_id, opening=s.opening,
                                    closing=s.closing, carried=s.carried,
                                    totals={k: str(v) for k, v in sorted(s.totals.items())})
                for s in found_statements
            ])
        if payments:
            await SettlementPayment.insert(*[
                SettlementPayment(settlement=settlement_id, payer=p.payer, payee=p.payee, amount=p.amount,
                                  method=p.method)
                for p in payments
            ])
    return settlement_id


def _carry(found: list[Statement], payments: list[Payment]) -> None:
    """What each closing balance keeps after this month's payments: it opens the next month."""
    settled = {s.account: ZERO for s in found}
    for p in payments:
        settled[p.payer] = settled.get(p.payer, ZERO) - p.amount
        settled[p.payee] = settled.get(p.payee, ZERO) + p.amount
    for s in found:
        s.carried = s.closing - settled[s.account]


async def get_settlement(period: str) -> dict:
    check_period(period)
    row = await Settlement.select().where(Settlement.period == period).first()
    if row is None:
        raise NotFound(f"no settlement for {period}: compute it first", "period")
    row["statements"] = await SettlementStatement.select(
        SettlementStatement.account, SettlementStatement.opening, SettlementStatement.closing,
        SettlementStatement.totals, SettlementStatement.dealer, SettlementStatement.carried,
        SettlementStatement.dealer.code.as_alias("dealer_code"), SettlementStatement.dealer.name.as_alias("dealer_name"),
        SettlementStatement.dealer.legal_name.as_alias("legal_name"),
        SettlementStatement.dealer.vat_number.as_alias("vat_number"),
    ).where(SettlementStatement.settlement == row["id"]).order_by(SettlementStatement.account).output(load_json=True)
    row["payments"] = await SettlementPayment.select(
        SettlementPayment.payer, SettlementPayment.payee, SettlementPayment.amount, SettlementPayment.method,
    ).where(SettlementPayment.settlement == row["id"]).order_by(SettlementPayment.id)
    return row


async def approve(period: str, by: str, now: datetime | None = None) -> None:
    """Lock a month that has ended, exactly as the ledger has it: no booking into it meanwhile (the
    period lock), and none after (they go to the next open month as adjustments)."""
    now = now or datetime.now(timezone.utc)
    check_period(period)
    if period_bounds(period)[1] > now:
        raise Conflict(f"{period} has not ended: a month is approved once it is over", "period")
    async with Settlement._meta.db.transaction() as tx:
        await lock_settlement_months(tx.connection)
        await lock_period_exclusive(tx.connection, period)
        row = await Settlement.select(Settlement.id, Settlement.status).where(
            Settlement.period == period).lock_rows().first()
        if row is None:
            raise NotFound(f"no settlement for {period}: compute it first", "period")
        if row["status"] != SettlementStatus.draft:
            raise Conflict(f"the settlement of {period} is {row['status']} already", "status", status=row["status"])
        # Months are approved in order: a month's opening holds every earlier month's balances, so
        # approving one out of order would pay the same balances in two settlements.
        later = await Settlement.select(Settlement.period).where(
            (Settlement.period > period) & (Settlement.status != SettlementStatus.draft)).first()
        if later:
            raise Conflict(f"{later['period']} is approved already: an earlier month cannot be approved after it",
                           "period", later=later["period"])
        earlier = await Settlement.select(Settlement.period).where(
            (Settlement.period < period) & (Settlement.status == SettlementStatus.draft)
        ).order_by(Settlement.period).first()
        if earlier:
            raise Conflict(f"approve {earlier['period']} first: months are approved in order", "period",
                           earlier=earlier["period"])
        unpaid = await Settlement.select(Settlement.period).where(
            (Settlement.period < period) & Settlement.status.is_in([SettlementStatus.approved, SettlementStatus.exported])
        ).order_by(Settlement.period).first()
        if unpaid:
            # Its balances are in this month's opening: approving now would pay them twice.
            raise Conflict(f"the payments of {unpaid['period']} are not recorded yet: record them first", "period",
                           unpaid=unpaid["period"])
        await compute(period, now.astimezone(ROME).date())  # approve exactly what the ledger says now
        await Settlement.update({
            Settlement.status: SettlementStatus.approved, Settlement.approved_at: now, Settlement.approved_by: by,
        }).where(Settlement.id == row["id"])
        await emit("settlement.approved", {"period": period, "settlement_id": row["id"]})


async def mark_exported(period: str) -> None:
    async with Settlement._meta.db.transaction() as tx:
        await lock_settlement_months(tx.connection)
        row = await Settlement.select(Settlement.id, Settlement.status).where(
            Settlement.period == period).lock_rows().first()
        if row is None or row["status"] == SettlementStatus.draft:
            raise Conflict(f"the settlement of {period} must be approved before it is exported", "status")
        if row["status"] == SettlementStatus.paid:
            raise Conflict(f"the payments of {period} are recorded already", "status", status=row["status"])
        await Settlement.update({Settlement.status: SettlementStatus.exported,
                                 Settlement.exported_at: datetime.now(timezone.utc)}).where(Settlement.id == row["id"])


def payment_lines(payments: list[dict], dealer_ids: dict[str, int | None]) -> list[Line]:
    """The ledger lines of executed payments, one per account: a payer's debt shrinks (+), a
    payee's claim shrinks (-)."""
    by_account: dict[str, Decimal] = {}
    for p in payments:
        by_account[p["payer"]] = by_account.get(p["payer"], ZERO) + p["amount"]
        by_account[p["payee"]] = by_account.get(p["payee"], ZERO) - p["amount"]
    return [Line(account, PAYMENTS_KIND, amount, dealer_ids.get(account))
            for account, amount in sorted(by_account.items()) if amount]


def parse_day(text: str | None, field: str = "paid_on") -> date | None:
    if text is None or not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise Invalid("a date as YYYY-MM-DD", field) from None


async def record_payments(period: str, by: str, paid_on: date | None = None, today: date | None = None) -> int | None:
    """The bank executed the month's payments: book them (dated ``paid_on``, by default the
    settlement's payment date or today, whichever is earlier), so the next statements open with
    only what is still unpaid. The ledger entry's id (None when nothing was paid)."""
    today = today or datetime.now(ROME).date()
    async with Settlement._meta.db.transaction() as tx:
        await lock_settlement_months(tx.connection)
        row = await Settlement.select(Settlement.id, Settlement.status, Settlement.payment_date).where(
            Settlement.period == period).lock_rows().first()
        if row is None:
            raise NotFound(f"no settlement for {period}", "period")
        if row["status"] not in (SettlementStatus.approved, SettlementStatus.exported):
            raise Conflict(f"the settlement of {period} is {row['status']}: only approved payments are recorded",
                           "status", status=row["status"])
        paid_on = paid_on or min(row["payment_date"] or today, today)
        month_end = period_bounds(period)[1].astimezone(ROME).date()
        if not month_end <= paid_on <= today:
            raise Invalid(f"a day from {month_end.isoformat()} to today", "paid_on")
        payments = await SettlementPayment.select(SettlementPayment.payer, SettlementPayment.payee,
                                                  SettlementPayment.amount).where(SettlementPayment.settlement == row["id"])
        entry = None
        if payments:
            dealer_ids = {r["account"]: r["dealer"] for r in await SettlementStatement.select(
                SettlementStatement.account, SettlementStatement.dealer).where(SettlementStatement.settlement == row["id"])}
            entry = await book(EntryKind.settlement_payment, f"settlement:{period}", payment_lines(payments, dealer_ids),
                               description=f"Pagamenti della liquidazione {period}",
                               at=datetime.combine(paid_on, time(12), ROME).astimezone(timezone.utc))
        await Settlement.update({Settlement.status: SettlementStatus.paid, Settlement.paid_on: paid_on,
                                 Settlement.paid_by: by}).where(Settlement.id == row["id"])
    return entry


async def statement_lines(period: str, account: str) -> list[dict]:
    """Every ledger line of an account in the period, with its transaction."""
    return await LedgerLine.select(
        LedgerLine.entry.id.as_alias("entry"), LedgerLine.entry.booked_at.as_alias("booked_at"),
        LedgerLine.entry.source.as_alias("source"), LedgerLine.entry.description.as_alias("description"),
        LedgerLine.entry.adjustment.as_alias("adjustment"), LedgerLine.kind, LedgerLine.amount,
    ).where((LedgerLine.account == account) & (LedgerLine.entry.period == period)).order_by(LedgerLine.entry.id)
