"""A statement as a dealer's accountant reads it: who (names, partita IVA), what it opened with,
each movement of the month in Italian, the payments booked in it, what it closes with, and how
that closing balance is settled (paid, collected or carried to the next month)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from marketplace.network.billing import network_billing
from marketplace.network.tables import Dealer
from marketplace.settlement.clearing import CREDIT_TRANSFER, DIRECT_DEBIT
from marketplace.settlement.ledger import NETWORK
from marketplace.settlement.settlements import PAYMENTS_KIND, ZERO, statement_lines

#: Line kinds in the accountant's words (the documents are Italian; pages translate kind_* keys).
KIND_LABELS = {
    "transfer_price": "Trasferimento di ricambi",
    "handling_fee": "Diritto di gestione trasferimento",
    "customer_payment": "Incasso dal cliente al banco",
    "referral": "Commissione di segnalazione",
    "platform_fee": "Commissione di piattaforma",
    "pickup_fee": "Compenso punto di ritiro",
    "hub_commission": "Commissione hub logistico",
    "sale": "Vendita",
    PAYMENTS_KIND: "Pagamento della liquidazione",
    "fee_rebate": "Sconto progressivo sulle commissioni",
    "fee_waiver": "Commissioni non addebitate (prova gratuita)",
    "marketing_contribution": "Contributo marketing co-branded",
}
METHOD_LABELS = {DIRECT_DEBIT: "Addebito diretto SEPA B2B", CREDIT_TRANSFER: "Bonifico SEPA",
                 "bank_transfer": "Bonifico"}
NETWORK_NAME = "Rete ricambi"


@dataclass
class MovementLine:
    booked_at: datetime
    description: str
    kind: str
    kind_label: str
    amount: Decimal
    adjustment: bool
    source: str


@dataclass
class SettlementLine:
    """A payment of this settlement that concerns the account, seen from it."""

    counterpart: str
    method: str
    method_label: str
    amount: Decimal  # positive: the account receives; negative: it pays


@dataclass
class StatementView:
    period: str
    status: str
    account: str
    dealer_code: str | None
    label: str  # "D0002 · Officina Rossi" or the network's name
    legal_name: str
    vat_number: str
    opening: Decimal
    movements: dict[str, Decimal]  # by kind, payments excluded
    payments_booked: Decimal  # earlier settlements' payments executed in this month
    closing: Decimal
    carried: Decimal
    lines: list[MovementLine] = field(default_factory=list)
    settlement: list[SettlementLine] = field(default_factory=list)

    @property
    def movement_total(self) -> Decimal:
        return sum(self.movements.values(), ZERO)


async def account_labels(settlement: dict) -> dict[str, str]:
    """Account -> how a person reads it: "D0002 · Officina Rossi", the network by its legal name."""
    billing = await network_billing()
    labels = {NETWORK: billing.legal_name or NETWORK_NAME}
    for s in settlement["statements"]:
        if s.get("dealer_code"):
            labels[s["account"]] = f"{s['dealer_code']} · {s['dealer_name']}"
    # A dealer sees only its own statement, but its payments name counterparts (bilateral netting).
    others = {a.removeprefix("dealer:") for p in settlement["payments"] for a in (p["payer"], p["payee"])
              if a.startswith("dealer:") and a not in labels}
    if others:
        for row in await Dealer.select(Dealer.code, Dealer.name).where(Dealer.code.is_in(sorted(others))):
            labels[f"dealer:{row['code']}"] = f"{row['code']} · {row['name']}"
    return labels


async def statement_view(settlement: dict, statement: dict) -> StatementView:
    labels = await account_labels(settlement)
    account = statement["account"]
    totals = {kind: Decimal(amount) for kind, amount in statement["totals"].items()}
    network = await network_billing() if account == NETWORK else None
    lines = [MovementLine(l["booked_at"], l["description"] or l["source"], l["kind"],
                          KIND_LABELS.get(l["kind"], l["kind"]), l["amount"], l["adjustment"], l["source"])
             for l in await statement_lines(settlement["period"], account)]
    mine = []
    for p in settlement["payments"]:
        if account not in (p["payer"], p["payee"]):
            continue
        paying = p["payer"] == account
        counterpart = p["payee"] if paying else p["payer"]
        mine.append(SettlementLine(labels.get(counterpart, counterpart), p["method"],
                                   METHOD_LABELS.get(p["method"], p["method"]), -p["amount"] if paying else p["amount"]))
    return StatementView(
        period=settlement["period"], status=settlement["status"], account=account, dealer_code=statement.get("dealer_code"),
        label=labels.get(account, account),
        legal_name=(network.legal_name if network else statement.get("legal_name")) or "",
        vat_number=(network.vat_number if network else statement.get("vat_number")) or "",
        opening=statement["opening"], movements={k: v for k, v in totals.items() if k != PAYMENTS_KIND},
        payments_booked=totals.get(PAYMENTS_KIND, ZERO), closing=statement["closing"],
        carried=statement.get("carried") or ZERO, lines=lines, settlement=mine,
    )
