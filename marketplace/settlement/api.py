"""JSON API: monthly settlements (managers run them; dealers read their own statement)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.status_codes import HTTP_200_OK

from marketplace.accounts.auth import manager_only, signed_in
from marketplace.errors import NotFound
from marketplace.settlement.ledger import dealer_account, reverse
from marketplace.settlement.settlements import (
    approve, compute, get_settlement, mark_exported, payments_csv, statement_csv, statement_lines,
)


class PeriodIn(msgspec.Struct, forbid_unknown_fields=True):
    period: str


class StatementOut(msgspec.Struct):
    account: str
    dealer_code: str | None
    opening: Decimal
    closing: Decimal
    totals: dict[str, Decimal]


class PaymentOut(msgspec.Struct):
    payer: str
    payee: str
    amount: Decimal


class SettlementOut(msgspec.Struct):
    period: str
    status: str
    computed_at: datetime
    approved_at: datetime | None
    statements: list[StatementOut]
    payments: list[PaymentOut]


def visible(row: dict, principal) -> dict:
    """A dealer sees its own statement and the payments it makes or receives; a manager sees all."""
    if principal.is_manager:
        return row
    mine = dealer_account(principal.dealer_code)
    return {**row, "statements": [s for s in row["statements"] if s["account"] == mine],
            "payments": [p for p in row["payments"] if mine in (p["payer"], p["payee"])]}


async def visible_statement(period: str, account: str, principal) -> tuple[dict, dict]:
    """The settlement as the caller may see it, and one account's statement in it (404 otherwise)."""
    row = visible(await get_settlement(period), principal)
    statement = next((s for s in row["statements"] if s["account"] == account), None)
    if statement is None:
        raise NotFound(f"no statement of {account} in {period}", "account")
    return row, statement


def shape(row: dict) -> SettlementOut:
    return SettlementOut(
        period=row["period"], status=row["status"], computed_at=row["computed_at"], approved_at=row["approved_at"],
        statements=[StatementOut(
            account=s["account"], dealer_code=s["account"].split(":", 1)[1] if s["account"].startswith("dealer:") else None,
            opening=s["opening"], closing=s["closing"], totals={k: Decimal(v) for k, v in s["totals"].items()},
        ) for s in row["statements"]],
        payments=[PaymentOut(p["payer"], p["payee"], p["amount"]) for p in row["payments"]],
    )


class SettlementApi(Controller):
    path = "/api/v1/settlements"
    tags = ["settlement"]

    @post("/", guards=[manager_only], status_code=HTTP_200_OK)
    async def run(self, data: PeriodIn) -> SettlementOut:
        """Compute or recompute the draft of a month (``{"period": "2026-11"}``); 409 once approved."""
        await compute(data.period)
        return shape(await get_settlement(data.period))

    @get("/{period:str}", guards=[signed_in])
    async def read(self, request: Request, period: str) -> SettlementOut:
        """Statements (opening, closing, totals by kind) and the netting payments, amounts as strings."""
        return shape(visible(await get_settlement(period), request.user))

    @post("/{period:str}/approve", guards=[manager_only], status_code=HTTP_200_OK)
    async def approve(self, request: Request, period: str) -> SettlementOut:
        """Lock the month: later transactions dated in it count in the next open month."""
        await approve(period, f"api_key:{request.user.api_key_id}")
        return shape(await get_settlement(period))

    @post("/{period:str}/export", guards=[manager_only], status_code=HTTP_200_OK)
    async def export(self, period: str) -> SettlementOut:
        """Mark an approved month exported (its CSV files are below)."""
        await mark_exported(period)
        return shape(await get_settlement(period))

    @get("/{period:str}/payments.csv", guards=[manager_only], media_type="text/csv")
    async def payments(self, period: str) -> Response[str]:
        row = await get_settlement(period)
        return Response(payments_csv(row["payments"]), media_type="text/csv", headers={
            "Content-Disposition": f'attachment; filename="payments-{period}.csv"'})

    @get("/{period:str}/statements/{account:str}", guards=[signed_in], media_type="text/csv")
    async def statement(self, request: Request, period: str, account: str) -> Response[str]:
        """One account's statement: every line with its transaction, totals, opening and closing."""
        _, statement = await visible_statement(period, account, request.user)
        return Response(statement_csv(statement, await statement_lines(period, account)), media_type="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="statement-{period}-{account}.csv"'})


class ReversalIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: str = ""


class ReversalOut(msgspec.Struct):
    entry_id: int
    reverses: int


class LedgerApi(Controller):
    path = "/api/v1/ledger"
    tags = ["settlement"]

    @post("/{entry_id:int}/reverse", guards=[manager_only])
    async def reverse(self, entry_id: int, data: ReversalIn | None = None) -> ReversalOut:
        """Correct a transaction by its mirror image dated now (201); a transaction is reversed once (409)."""
        new_id = await reverse(entry_id, data.reason if data else "")
        return ReversalOut(entry_id=new_id, reverses=entry_id)
