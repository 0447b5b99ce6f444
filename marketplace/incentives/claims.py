"""Co-branded marketing contributions (large distributors): a budget per dealer per calendar
year; the dealer claims a contribution with its document (an invoice, a flyer: PDF or image), a
manager approves or rejects it, and an approved claim is booked at once as its own ledger kind
(``marketing``: the network pays the dealer), paid with the month's settlement."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from marketplace.calendar import ROME
from marketplace.decimal_input import parse_decimal
from marketplace.errors import Conflict, Forbidden, Invalid, NotFound
from marketplace.incentives.applied import book_incentive, euro
from marketplace.incentives.figures import ZERO
from marketplace.incentives.rules import rules_at
from marketplace.incentives.tables import AppliedKind, ClaimStatus, MarketingClaim
from marketplace.incentives.tiers import tier_of
from marketplace.money import MAX_AMOUNT
from marketplace.network.tables import Dealer
from marketplace.settlement.periods import period_of

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
#: Accepted documents, recognised by their first bytes (the declared type is not trusted).
DOCUMENT_TYPES = {"application/pdf": (b"%PDF-",), "image/png": (b"\x89PNG\r\n\x1a\n",),
                  "image/jpeg": (b"\xff\xd8\xff",)}


def document_type(data: bytes) -> str:
    if not data:
        raise Invalid("attach the document (PDF, PNG or JPEG)", "document")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise Invalid(f"at most {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB", "document")
    for content_type, signatures in DOCUMENT_TYPES.items():
        if any(data.startswith(s) for s in signatures):
            return content_type
    raise Invalid("a PDF, PNG or JPEG file", "document")


def _filename(name: str) -> str:
    name = (name or "documento").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable() and c not in '"<>')[:200].strip()
    return name or "documento"


async def used_budget(dealer_id: int, year: int, *, pending: bool = True) -> Decimal:
    statuses = [ClaimStatus.approved.value] + ([ClaimStatus.submitted.value] if pending else [])
    row = await MarketingClaim.raw(
        "SELECT COALESCE(sum(amount), 0) AS used FROM marketing_claim WHERE dealer = {} AND year = {}"
        " AND status = ANY({}::text[])", dealer_id, year, statuses)
    return row[0]["used"]


async def submit_claim(dealer_id: int, amount_text: str, description: str, filename: str, data: bytes, by: str,
                       now: datetime | None = None) -> int:
    """A claim of the dealer (a large distributor) within what is left of the year's budget."""
    now = now or datetime.now(timezone.utc)
    if await tier_of(dealer_id) != "distributor":
        raise Forbidden("co-branded marketing contributions are for large distributors", "dealer")
    amount = parse_decimal(amount_text, "amount", high=MAX_AMOUNT)
    if amount <= 0:
        raise Invalid("more than zero", "amount")
    description = " ".join((description or "").split())
    if not description:
        raise Invalid("say what the contribution is for", "description")
    if len(description) > 1000:
        raise Invalid("at most 1000 characters", "description")
    content_type = document_type(data)
    rules = await rules_at(now)
    year = now.astimezone(ROME).year
    left = rules.marketing_budget - await used_budget(dealer_id, year)
    if amount > left:
        raise Invalid(f"the {year} budget has {euro(max(left, ZERO))} left (claims waiting included)", "amount")
    row = await MarketingClaim.insert(MarketingClaim(
        dealer=dealer_id, year=year, amount=amount, description=description, document=data,
        document_name=_filename(filename), content_type=content_type, submitted_by=by, submitted_at=now,
        rules_version=rules.version)).returning(MarketingClaim.id)
    return row[0]["id"]


async def decide_claim(claim_id: int, approve: bool, by: str, note: str = "", now: datetime | None = None) -> int | None:
    """Approve (book the contribution: the ledger entry's id) or reject a waiting claim."""
    now = now or datetime.now(timezone.utc)
    note = " ".join((note or "").split())[:500]
    async with MarketingClaim._meta.db.transaction():
        claim = await MarketingClaim.select(
            MarketingClaim.id, MarketingClaim.dealer, MarketingClaim.year, MarketingClaim.amount,
            MarketingClaim.status, MarketingClaim.description, MarketingClaim.rules_version,
        ).where(MarketingClaim.id == claim_id).lock_rows().first()
        if claim is None:
            raise NotFound(f"no marketing claim {claim_id}", "claim")
        if claim["status"] != ClaimStatus.submitted:
            raise Conflict(f"the claim is {claim['status']} already", "status", status=claim["status"])
        entry = None
        if approve:
            rules = await rules_at(now)
            left = rules.marketing_budget - await used_budget(claim["dealer"], claim["year"], pending=False)
            if claim["amount"] > left:
                raise Conflict(f"the {claim['year']} budget has {euro(max(left, ZERO))} left", "amount")
            code = (await Dealer.select(Dealer.code).where(Dealer.id == claim["dealer"]).first())["code"]
            entry = await book_incentive(
                AppliedKind.marketing, claim["dealer"], code, period_of(now), claim["amount"], claim["id"],
                f"Contributo marketing co-branded {claim['year']}, richiesta {claim['id']}: {claim['description'][:200]}",
                {"claim": claim["id"], "year": claim["year"], "budget": str(rules.marketing_budget)},
                claim["rules_version"], now)
        await MarketingClaim.update({
            MarketingClaim.status: ClaimStatus.approved if approve else ClaimStatus.rejected,
            MarketingClaim.decided_by: by, MarketingClaim.decided_at: now, MarketingClaim.note: note,
            MarketingClaim.entry: entry,
        }).where(MarketingClaim.id == claim_id)
    return entry


_LIST_COLUMNS = (MarketingClaim.id, MarketingClaim.dealer, MarketingClaim.dealer.code.as_alias("dealer_code"),
                 MarketingClaim.dealer.name.as_alias("dealer_name"), MarketingClaim.year, MarketingClaim.amount,
                 MarketingClaim.description, MarketingClaim.document_name, MarketingClaim.content_type,
                 MarketingClaim.status, MarketingClaim.submitted_by, MarketingClaim.submitted_at,
                 MarketingClaim.decided_by, MarketingClaim.decided_at, MarketingClaim.note, MarketingClaim.entry,
                 MarketingClaim.rules_version)


async def claims(dealer_id: int | None = None, status: str | None = None) -> list[dict]:
    query = MarketingClaim.select(*_LIST_COLUMNS)
    if dealer_id is not None:
        query = query.where(MarketingClaim.dealer == dealer_id)
    if status:
        query = query.where(MarketingClaim.status == status)
    return await query.order_by(MarketingClaim.id, ascending=False)


async def claim_document(claim_id: int) -> dict:
    row = await MarketingClaim.select(MarketingClaim.dealer, MarketingClaim.document, MarketingClaim.document_name,
                                      MarketingClaim.content_type).where(MarketingClaim.id == claim_id).first()
    if row is None:
        raise NotFound(f"no marketing claim {claim_id}", "claim")
    return row
