"""JSON API: monthly settlements (managers run them; dealers read their own statement)."""

from __future__ import annotations

from decimal import Decimal

from litestar import Controller, Request, Response, get, post
from litestar.status_codes import HTTP_200_OK

from marketplace.accounts.auth import manager_only, signed_in
from marketplace.errors import NotFound
from marketplace.settlement.documents import payments_csv, statement_csv
from marketplace.settlement.ledger import dealer_account, reverse
from marketplace.settlement.schemas import (
    BlockerOut,
    PaidIn,
    PaymentOut,
    PeriodIn,
    ReversalIn,
    ReversalOut,
    SettlementOut,
    StatementOut,
)
from marketplace.settlement.sepa import CREDIT_TRANSFERS, DIRECT_DEBITS, blockers, sepa_file
from marketplace.settlement.settlements import (
    approve,
    compute,
    get_settlement,
    mark_exported,
    parse_day,
    record_payments,
)
from marketplace.settlement.statement_view import NETWORK_NAME, account_labels, statement_view
from marketplace.settlement.visibility import visible, visible_statement
from marketplace.web.pdf import render_pdf


async def shape(row: dict, principal) -> SettlementOut:
    labels = await account_labels(row)
    found = await blockers(row) if principal.is_manager else []
    return SettlementOut(
        period=row["period"], status=row["status"], clearing=row["clearing"], minimum_payout=row["minimum_payout"],
        payment_date=row["payment_date"], paid_on=row["paid_on"], computed_at=row["computed_at"],
        approved_at=row["approved_at"],
        statements=[StatementOut(
            account=s["account"], dealer_code=s["dealer_code"], name=labels.get(s["account"], s["account"]),
            vat_number=s["vat_number"] or "", opening=s["opening"], closing=s["closing"], carried=s["carried"],
            totals={k: Decimal(v) for k, v in s["totals"].items()},
        ) for s in row["statements"]],
        payments=[PaymentOut(p["payer"], p["payee"], p["amount"], p["method"]) for p in row["payments"]],
        blockers=[BlockerOut(**b.as_dict()) for b in found],
    )


def _attachment(body: str | bytes, media_type: str, filename: str) -> Response:
    return Response(body, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


class SettlementApi(Controller):
    path = "/api/v1/settlements"
    tags = ["settlement"]

    @post("/", guards=[manager_only], status_code=HTTP_200_OK)
    async def run(self, request: Request, data: PeriodIn) -> SettlementOut:
        """Compute or recompute the draft of a month (``{"period": "2026-11"}``); 409 once approved."""
        await compute(data.period)
        return await shape(await get_settlement(data.period), request.user)

    @get("/{period:str}", guards=[signed_in])
    async def read(self, request: Request, period: str) -> SettlementOut:
        """Statements (opening, closing, carried, totals by kind), the payments settling them and,
        for managers, what blocks the bank files."""
        return await shape(visible(await get_settlement(period), request.user), request.user)

    @post("/{period:str}/approve", guards=[manager_only], status_code=HTTP_200_OK)
    async def approve(self, request: Request, period: str) -> SettlementOut:
        """Lock a month that has ended: later transactions dated in it count in the next open month."""
        await approve(period, f"api_key:{request.user.api_key_id}")
        return await shape(await get_settlement(period), request.user)

    @post("/{period:str}/export", guards=[manager_only], status_code=HTTP_200_OK)
    async def export(self, request: Request, period: str) -> SettlementOut:
        """Mark an approved month exported (its files are below)."""
        await mark_exported(period)
        return await shape(await get_settlement(period), request.user)

    @post("/{period:str}/paid", guards=[manager_only], status_code=HTTP_200_OK)
    async def paid(self, request: Request, period: str, data: PaidIn | None = None) -> SettlementOut:
        """The bank executed the payments: they are booked (``{"paid_on": "2026-12-10"}``), and the
        next statements open with only what is still unpaid."""
        await record_payments(period, f"api_key:{request.user.api_key_id}", parse_day(data.paid_on if data else None))
        return await shape(await get_settlement(period), request.user)

    @get("/{period:str}/payments.csv", guards=[manager_only], media_type="text/csv")
    async def payments(self, period: str) -> Response[str]:
        return _attachment(await payments_csv(await get_settlement(period)), "text/csv; charset=utf-8",
                           f"pagamenti-{period}.csv")

    @get("/{period:str}/sepa/{filename:str}", guards=[manager_only], media_type="application/xml")
    async def sepa(self, period: str, filename: str) -> Response[bytes]:
        """``credit-transfers.xml`` (pain.001.001.03) or ``direct-debits.xml`` (pain.008.001.02, B2B);
        409 naming the blockers while a dealer lacks a valid IBAN or mandate."""
        kind = filename.removesuffix(".xml")
        if not filename.endswith(".xml") or kind not in (CREDIT_TRANSFERS, DIRECT_DEBITS):
            raise NotFound(f"no SEPA file {filename}: credit-transfers.xml or direct-debits.xml", "filename")
        return _attachment(await sepa_file(await get_settlement(period), kind), "application/xml",
                           f"{kind}-{period}.xml")

    @get("/{period:str}/statements/{account:str}", guards=[signed_in])
    async def statement(self, request: Request, period: str, account: str) -> Response:
        """One account's statement as CSV (``dealer:D0002``), or a dealer's as PDF (``D0002.pdf``)."""
        pdf = account.endswith(".pdf")
        if pdf:
            account = dealer_account(account.removesuffix(".pdf").upper())
        row, statement = await visible_statement(period, account, request.user)
        view = await statement_view(row, statement)
        if pdf:
            pdf = render_pdf("settlement/statement_pdf.html", v=view, issuer=NETWORK_NAME)
            return _attachment(pdf, "application/pdf", f"estratto-{period}-{view.dealer_code}.pdf")
        return _attachment(statement_csv(view), "text/csv; charset=utf-8", f"estratto-{period}-{account}.csv")


class LedgerApi(Controller):
    path = "/api/v1/ledger"
    tags = ["settlement"]

    @post("/{entry_id:int}/reverse", guards=[manager_only])
    async def reverse(self, entry_id: int, data: ReversalIn | None = None) -> ReversalOut:
        """Correct a transaction by its mirror image dated now (201); a transaction is reversed once (409)."""
        new_id = await reverse(entry_id, data.reason if data else "")
        return ReversalOut(entry_id=new_id, reverses=entry_id)
