"""Manager pages: commission rules and the monthly settlement; a printable statement for dealers too."""

from __future__ import annotations

from datetime import datetime, timezone

from litestar import Controller, Request, Response, get, post
from litestar.response import Template

from marketplace.accounts.auth import dealer_only, manager_only, signed_in
from marketplace.errors import DomainError, NotFound
from marketplace.settlement.documents import payments_csv, statement_csv
from marketplace.settlement.ledger import dealer_account
from marketplace.settlement.periods import ROME, check_period, period_of
from marketplace.settlement.rules import history, new_version, rules_at
from marketplace.settlement.sepa import blockers
from marketplace.settlement.settlements import (
    approve,
    compute,
    get_settlement,
    mark_exported,
    parse_day,
    record_payments,
)
from marketplace.settlement.statement_view import NETWORK_NAME, account_labels, statement_view
from marketplace.settlement.tables import Settlement, SettlementStatement
from marketplace.settlement.visibility import visible_statement
from marketplace.web.forms import form_errors, form_fields
from marketplace.web.pdf import render_pdf
from marketplace.web.render import page
from marketplace.web.urls import redirect_to


class CommissionPages(Controller):
    path = "/network/commissions"
    guards = [manager_only]
    include_in_schema = False

    async def _page(self, request: Request, error: DomainError | None = None, values: dict | None = None) -> Template:
        current = await rules_at()
        return page(request, "settlement/commissions.html", status_code=error.status_code if error else 200,
                    current=current, values=values or {f: getattr(current, f) for f in current.__slots__},
                    history=await history(), errors=form_errors(error))

    @get("/", name="commissions:list")
    async def show(self, request: Request) -> Template:
        return await self._page(request)

    @post("/")
    async def save(self, request: Request) -> Response:
        form = await form_fields(request)
        try:
            await new_version(form, f"user:{request.user.email}")
        except DomainError as error:
            return await self._page(request, error, form)
        return redirect_to(request, "commissions:list")


class StatementPages(Controller):
    path = "/statements"
    guards = [dealer_only]
    include_in_schema = False

    @get("/")
    async def mine(self, request: Request) -> Template:
        """A dealer's monthly statements."""
        account = dealer_account(request.user.dealer_code)
        rows = await SettlementStatement.select(
            SettlementStatement.settlement.period.as_alias("period"),
            SettlementStatement.settlement.status.as_alias("status"), SettlementStatement.opening,
            SettlementStatement.closing,
        ).where(SettlementStatement.account == account).order_by(SettlementStatement.settlement.period, ascending=False)
        return page(request, "settlement/mine.html", statements=rows, account=account)


class SettlementPages(Controller):
    path = "/settlements"
    include_in_schema = False

    @get("/", guards=[manager_only])
    async def index(self, request: Request) -> Template:
        settlements = await Settlement.select().order_by(Settlement.period, ascending=False)
        return page(request, "settlement/index.html", settlements=settlements, errors={},
                    this_month=period_of(datetime.now(timezone.utc)))

    @post("/", guards=[manager_only])
    async def run(self, request: Request) -> Response:
        form = await form_fields(request)
        period = form.get("period", "").strip()
        try:
            check_period(period)
            await compute(period)
        except DomainError as error:
            settlements = await Settlement.select().order_by(Settlement.period, ascending=False)
            return page(request, "settlement/index.html", status_code=error.status_code, settlements=settlements,
                        errors=form_errors(error), this_month=period)
        return redirect_to(request, "settlements:detail", period=period)

    @get("/{period:str}", guards=[manager_only], name="settlements:detail")
    async def detail(self, request: Request, period: str, error: str = "") -> Template:
        settlement = await get_settlement(period)
        return page(request, "settlement/detail.html", settlement=settlement, labels=await account_labels(settlement),
                    blockers=await blockers(settlement), error=error)

    @post("/{period:str}/{action:str}", guards=[manager_only])
    async def act(self, request: Request, period: str, action: str) -> Response:
        form = await form_fields(request)
        by = f"user:{request.user.email}"
        steps = {"recompute": lambda: compute(period), "approve": lambda: approve(period, by),
                 "export": lambda: mark_exported(period),
                 "paid": lambda: record_payments(period, by, parse_day(form.get("paid_on")))}
        if action not in steps:
            raise NotFound(f"no action {action}", "action")
        try:
            await steps[action]()
        except DomainError as failure:
            settlement = await get_settlement(period)
            return page(request, "settlement/detail.html", status_code=failure.status_code, settlement=settlement,
                        labels=await account_labels(settlement), blockers=await blockers(settlement),
                        error=failure.message)
        return redirect_to(request, "settlements:detail", period=period)

    @get("/{period:str}/payments-csv", guards=[manager_only], media_type="text/csv")
    async def payments_csv(self, period: str) -> Response[str]:
        """The payments file, for a signed-in manager (the API serves the same to keys)."""
        return _csv(await payments_csv(await get_settlement(period)), f"pagamenti-{period}.csv")

    @get("/{period:str}/statements/{account:str}/csv", guards=[signed_in], media_type="text/csv")
    async def statement_csv(self, request: Request, period: str, account: str) -> Response[str]:
        row, statement = await visible_statement(period, account, request.user)
        return _csv(statement_csv(await statement_view(row, statement)), f"estratto-{period}-{account}.csv")

    @get("/{period:str}/statements/{account:str}", guards=[signed_in])
    async def statement(self, request: Request, period: str, account: str) -> Response:
        """Printable; a dealer opens only its own. ``D0002.pdf`` is the same statement as a PDF."""
        if account.endswith(".pdf"):
            row, statement = await visible_statement(period, dealer_account(account.removesuffix(".pdf").upper()),
                                                     request.user)
            view = await statement_view(row, statement)
            pdf = render_pdf("settlement/statement_pdf.html", v=view, issuer=NETWORK_NAME)
            return Response(pdf, media_type="application/pdf", headers={
                "Content-Disposition": f'attachment; filename="estratto-{period}-{view.dealer_code}.pdf"'})
        row, statement = await visible_statement(period, account, request.user)
        return page(request, "settlement/statement.html", v=await statement_view(row, statement), rome=ROME)


def _csv(text: str, filename: str) -> Response[str]:
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
