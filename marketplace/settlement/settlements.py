"""The monthly settlement: statements per account and the netting payments; draft -> approved -> exported."""

from __future__ import annotations

import csv
import io

from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal

from marketplace.db import raw_connection
from marketplace.errors import Conflict, NotFound
from marketplace.settlement.periods import check_period
from marketplace.settlement.tables import (
    LedgerLine, Settlement, SettlementPayment, SettlementStatement, SettlementStatus,
)

ZERO = Decimal("0.00")


@dataclass
class Statement:
    account: str
    dealer_id: int | None
    opening: Decimal = ZERO
    totals: dict[str, Decimal] = field(default_factory=dict)

    @property
    def movement(self) -> Decimal:
        return sum(self.totals.values(), ZERO)

    @property
    def closing(self) -> Decimal:
        return self.opening + self.movement


@dataclass(frozen=True, slots=True)
class Payment:
    payer: str
    payee: str
    amount: Decimal


def net(balances: dict[str, Decimal]) -> list[Payment]:
    """Payments settling every balance (positive: is owed; negative: owes): the largest debtor pays
    the largest creditor, so each payment clears at least one party: at most n - 1 payments."""
    creditors = sorted(((a, b) for a, b in balances.items() if b > 0), key=lambda x: (-x[1], x[0]))
    debtors = sorted(((a, -b) for a, b in balances.items() if b < 0), key=lambda x: (-x[1], x[0]))
    if sum(b for _, b in creditors) != sum(b for _, b in debtors):
        raise ValueError("the balances do not sum to zero")
    payments, i, j = [], 0, 0
    credit = debit = ZERO
    while i < len(creditors) and j < len(debtors):
        creditor, owed = creditors[i]
        debtor, due = debtors[j]
        owed, due = owed - credit, due - debit
        amount = min(owed, due)
        payments.append(Payment(debtor, creditor, amount))
        credit, debit = credit + amount, debit + amount
        if amount == owed:
            i, credit = i + 1, ZERO
        if amount == due:
            j, debit = j + 1, ZERO
    return payments


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
    return sorted(by_account.values(), key=lambda s: s.account)


async def compute(period: str) -> int:
    """Compute (or recompute) the period's draft; same ledger, same figures. Approved is locked."""
    check_period(period)
    async with Settlement._meta.db.transaction():
        found = await Settlement.select(Settlement.id, Settlement.status).where(
            Settlement.period == period).lock_rows().first()
        if found and found["status"] != SettlementStatus.draft:
            raise Conflict(f"the settlement of {period} is {found['status']}: it is locked", "period",
                           status=found["status"])
        if found:
            settlement_id = found["id"]
            await SettlementStatement.delete().where(SettlementStatement.settlement == settlement_id)
            await SettlementPayment.delete().where(SettlementPayment.settlement == settlement_id)
            await Settlement.update({Settlement.computed_at: datetime.now(timezone.utc)}).where(
                Settlement.id == settlement_id)
        else:
            settlement_id = (await Settlement.insert(Settlement(period=period)).returning(Settlement.id))[0]["id"]
        found_statements = await statements(period)
        payments = net({s.account: s.movement for s in found_statements if s.movement})
        if found_statements:
            await SettlementStatement.insert(*[
                SettlementStatement(settlement=settlement_id, account=s.account, dealer=s.dealer_id, opening=s.opening,
                                    closing=s.closing, totals={k: str(v) for k, v in sorted(s.totals.items())})
                for s in found_statements
            ])
        if payments:
            await SettlementPayment.insert(*[
                SettlementPayment(settlement=settlement_id, payer=p.payer, payee=p.payee, amount=p.amount)
                for p in payments
            ])
    return settlement_id


async def get_settlement(period: str) -> dict:
    check_period(period)
    row = await Settlement.select().where(Settlement.period == period).first()
    if row is None:
        raise NotFound(f"no settlement for {period}: compute it first", "period")
    row["statements"] = await SettlementStatement.select(
        SettlementStatement.account, SettlementStatement.opening, SettlementStatement.closing,
        SettlementStatement.totals, SettlementStatement.dealer,
    ).where(SettlementStatement.settlement == row["id"]).order_by(SettlementStatement.account).output(load_json=True)
    row["payments"] = await SettlementPayment.select(
        SettlementPayment.payer, SettlementPayment.payee, SettlementPayment.amount,
    ).where(SettlementPayment.settlement == row["id"]).order_by(SettlementPayment.id)
    return row


async def approve(period: str, by: str) -> None:
    async with Settlement._meta.db.transaction():
        row = await Settlement.select(Settlement.id, Settlement.status).where(
            Settlement.period == period).lock_rows().first()
        if row is None:
            raise NotFound(f"no settlement for {period}: compute it first", "period")
        if row["status"] != SettlementStatus.draft:
            raise Conflict(f"the settlement of {period} is {row['status']} already", "status", status=row["status"])
        await compute(period)  # approve exactly what the ledger says now
        await Settlement.update({
            Settlement.status: SettlementStatus.approved, Settlement.approved_at: datetime.now(timezone.utc),
            Settlement.approved_by: by,
        }).where(Settlement.id == row["id"])


async def mark_exported(period: str) -> None:
    row = await Settlement.select(Settlement.id, Settlement.status).where(Settlement.period == period).first()
    if row is None or row["status"] == SettlementStatus.draft:
        raise Conflict(f"the settlement of {period} must be approved before it is exported", "status")
    await Settlement.update({Settlement.status: SettlementStatus.exported,
                             Settlement.exported_at: datetime.now(timezone.utc)}).where(Settlement.id == row["id"])


async def statement_lines(period: str, account: str) -> list[dict]:
    """Every ledger line of an account in the period, with its transaction."""
    return await LedgerLine.select(
        LedgerLine.entry.id.as_alias("entry"), LedgerLine.entry.booked_at.as_alias("booked_at"),
        LedgerLine.entry.source.as_alias("source"), LedgerLine.entry.description.as_alias("description"),
        LedgerLine.entry.adjustment.as_alias("adjustment"), LedgerLine.kind, LedgerLine.amount,
    ).where((LedgerLine.account == account) & (LedgerLine.entry.period == period)).order_by(LedgerLine.entry.id)


def payments_csv(payments: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["payer", "payee", "amount"])
    for p in payments:
        writer.writerow([p["payer"], p["payee"], f"{p['amount']:.2f}"])
    return out.getvalue()


def statement_csv(statement: dict, lines: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["entry", "booked_at", "source", "kind", "amount", "adjustment", "description"])
    for line in lines:
        writer.writerow([line["entry"], line["booked_at"].isoformat(), line["source"], line["kind"],
                         f"{line['amount']:.2f}", "yes" if line["adjustment"] else "", line["description"]])
    writer.writerow([])
    writer.writerow(["opening", f"{statement['opening']:.2f}"])
    for kind, amount in statement["totals"].items():
        writer.writerow([f"total {kind}", amount])
    writer.writerow(["closing", f"{statement['closing']:.2f}"])
    return out.getvalue()


