"""Pages: a dealer's incentives (scorecard explanation, statement of what was applied, marketing
claims); managers' tiers (with history and the rule's proposal), incentive rules (versions),
marketing claims to decide and the reserved fast movers."""

from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.response import Template

from marketplace.accounts.auth import dealer_admin_only, dealer_only, manager_only, signed_in
from marketplace.calendar import ROME
from marketplace.errors import DomainError, Forbidden, Invalid, NotFound
from marketplace.formatting import Formatter
from marketplace.incentives.claims import claim_document, claims, decide_claim, submit_claim
from marketplace.incentives.overview import explanations, overview
from marketplace.incentives.reserved import reservations, reserve_fast_movers
from marketplace.incentives.rules import EDITABLE, history, new_version, rules_at
from marketplace.incentives.tiers import TIER_NAMES, TIERS, propose_tier, set_tier, tier_history
from marketplace.network.tables import Dealer
from marketplace.settlement.periods import check_period, period_of
from marketplace.web.forms import form_errors, form_fields
from marketplace.web.render import language_of, page
from marketplace.web.urls import redirect_to


def _period(period: str) -> str:
    period = (period or "").strip() or period_of(datetime.now(timezone.utc))
    return check_period(period)


async def _overview_page(request: Request, code: str, period: str, *, error: DomainError | None = None,
                         values: dict | None = None, template: str = "incentives/mine.html", **extra) -> Template:
    o = await overview(code, _period(period))
    return page(request, template, status_code=error.status_code if error else 200, o=o,
                said=explanations(o, Formatter(language_of(request))), errors=form_errors(error), values=values or {},
                rome=ROME, **extra)


class IncentivePages(Controller):
    path = "/incentives"
    include_in_schema = False

    @get("/", guards=[dealer_only], name="incentives:mine")
    async def mine(self, request: Request, period: str = "") -> Template:
        """The dealer's incentives for a month, explained."""
        return await _overview_page(request, request.user.dealer_code, period)

    @post("/claims", guards=[dealer_admin_only])
    async def claim(self, request: Request) -> Response:
        form = await request.form()
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        upload = form.get("document")
        try:
            if not isinstance(upload, UploadFile):
                raise Invalid("attach the document (PDF, PNG or JPEG)", "document")
            await submit_claim(request.user.dealer_id, fields.get("amount", ""), fields.get("description", ""),
                               upload.filename or "", await upload.read(), f"user:{request.user.email}")
        except DomainError as error:
            return await _overview_page(request, request.user.dealer_code, "", error=error, values=fields)
        return redirect_to(request, "incentives:mine")

    @get("/claims/{claim_id:int}/document", guards=[signed_in])
    async def document(self, request: Request, claim_id: int) -> Response:
        """The claim's document: its dealer's users and managers only."""
        row = await claim_document(claim_id)
        if not request.user.is_manager and row["dealer"] != request.user.dealer_id:
            raise Forbidden("a dealer sees only its own claims", "claim")
        name = row["document_name"]
        ascii_name = name.encode("ascii", "ignore").decode().replace('"', "").strip() or "documento"
        # Images open in the browser; a PDF is downloaded (its scripts never run in the site's origin).
        disposition = "inline" if row["content_type"].startswith("image/") else "attachment"
        return Response(bytes(row["document"]), media_type=row["content_type"], headers={
            "Content-Disposition": f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}",
            "X-Content-Type-Options": "nosniff"})


class IncentiveManagerPages(Controller):
    path = "/network/incentives"
    guards = [manager_only]
    include_in_schema = False

    @get("/", name="incentives:tiers")
    async def tiers(self, request: Request, tier: str = "") -> Template:
        query = Dealer.select(Dealer.code, Dealer.name, Dealer.city, Dealer.province, Dealer.tier,
                              Dealer.created_at).where(Dealer.is_central_warehouse.eq(False))
        if tier in TIERS:
            query = query.where(Dealer.tier == tier)
        dealers = await query.order_by(Dealer.code)
        counts = {t: 0 for t in TIERS}
        for row in await Dealer.select(Dealer.tier).where(Dealer.is_central_warehouse.eq(False)):
            counts[row["tier"]] = counts.get(row["tier"], 0) + 1
        return page(request, "incentives/tiers.html", dealers=dealers, counts=counts, tier=tier, names=TIER_NAMES)

    async def _dealer_page(self, request: Request, code: str, period: str, error: DomainError | None = None,
                           values: dict | None = None) -> Template:
        o = await overview(code, _period(period))
        return await _overview_page(
            request, code, period, template="incentives/dealer.html", error=error, values=values,
            history=await tier_history(o.dealer_id), proposal=await propose_tier(o.dealer_id), tiers=TIERS,
            names=TIER_NAMES)

    @get("/dealers/{code:str}", name="incentives:dealer")
    async def dealer(self, request: Request, code: str, period: str = "") -> Template:
        """A dealer's tier (history, the rule's proposal, a form to change it) and its incentives."""
        return await self._dealer_page(request, code, period)

    @post("/dealers/{code:str}")
    async def save_tier(self, request: Request, code: str) -> Response:
        form = await form_fields(request)
        row = await Dealer.select(Dealer.id).where(Dealer.code == code.strip().upper()).first()
        if row is None:
            raise NotFound(f"no dealer with code {code}", "code")
        try:
            await set_tier(row["id"], form.get("tier", ""), f"user:{request.user.email}", form.get("reason", ""))
        except DomainError as error:
            return await self._dealer_page(request, code, "", error, form)
        return redirect_to(request, "incentives:dealer", code=code.strip().upper())

    async def _rules_page(self, request: Request, error: DomainError | None = None, values: dict | None = None):
        current = await rules_at()
        return page(request, "incentives/rules.html", status_code=error.status_code if error else 200, current=current,
                    values=values or {f: getattr(current, f) for f in EDITABLE}, history=await history(),
                    errors=form_errors(error))

    @get("/rules", name="incentives:rules")
    async def rules(self, request: Request) -> Template:
        return await self._rules_page(request)

    @post("/rules")
    async def save_rules(self, request: Request) -> Response:
        form = await form_fields(request)
        try:
            await new_version({k: v for k, v in form.items() if k in EDITABLE}, f"user:{request.user.email}")
        except DomainError as error:
            return await self._rules_page(request, error, form)
        return redirect_to(request, "incentives:rules")

    @get("/claims", name="incentives:claims")
    async def claims_page(self, request: Request, error: str = "") -> Template:
        return page(request, "incentives/claims.html", claims=await claims(), error=error)

    @post("/claims/{claim_id:int}/{action:str}")
    async def decide(self, request: Request, claim_id: int, action: str) -> Response:
        form = await form_fields(request)
        if action not in ("approve", "reject"):
            raise NotFound(f"no action {action}", "action")
        try:
            await decide_claim(claim_id, action == "approve", f"user:{request.user.email}", form.get("note", ""))
        except DomainError as error:
            return page(request, "incentives/claims.html", status_code=error.status_code, claims=await claims(),
                        error=error.message)
        return redirect_to(request, "incentives:claims")

    @get("/reserved", name="incentives:reserved")
    async def reserved(self, request: Request, made: int | None = None) -> Template:
        return page(request, "incentives/reserved.html", rows=await reservations(), rules=await rules_at(), made=made)

    @post("/reserved")
    async def reserve(self, request: Request) -> Template:
        made = await reserve_fast_movers()
        return page(request, "incentives/reserved.html", rows=await reservations(), rules=await rules_at(), made=made)
