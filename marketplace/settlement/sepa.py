"""The bank files of an approved month under central clearing, built with ``sepaxml`` and
validated against the ISO 20022 schemas it ships.

Credit transfers (pain.001.001.03): the network pays every dealer it owes. Direct debits
(pain.008.001.02, B2B): the network collects from every dealer that owes it, under the mandate
the dealer signed. Each file's control sum is the sum of those closing balances. A dealer the file
needs and cannot name (no valid IBAN, no mandate) blocks the file: it is listed, never skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sepaxml import SepaDD, SepaTransfer

from marketplace.calendar import is_working_day, today
from marketplace.errors import Conflict
from marketplace.network.billing import NetworkBilling, billing_by_dealer_id, network_billing
from marketplace.settlement.allocation import cents
from marketplace.settlement.clearing import CENTRAL, CREDIT_TRANSFER, DIRECT_DEBIT
from marketplace.settlement.ledger import NETWORK
from marketplace.settlement.statement_view import NETWORK_NAME
from marketplace.settlement.tables import SettlementStatus

CREDIT_TRANSFERS, DIRECT_DEBITS = "credit-transfers", "direct-debits"
_METHOD = {CREDIT_TRANSFERS: CREDIT_TRANSFER, DIRECT_DEBITS: DIRECT_DEBIT}


@dataclass(frozen=True, slots=True)
class Blocker:
    """Who keeps a bank file from being made, and which of its data is missing or invalid."""

    party: str  # a dealer's code, or "network"
    name: str
    missing: tuple[str, ...]

    def as_dict(self) -> dict:
        return {"party": self.party, "name": self.name, "missing": list(self.missing)}


@dataclass(frozen=True, slots=True)
class BankLine:
    dealer_code: str
    name: str  # the legal name
    iban: str
    amount: int  # cents
    mandate_ref: str = ""
    mandate_signed_on: date | None = None


async def _lines(settlement: dict) -> tuple[dict[str, list[BankLine]], list[Blocker], NetworkBilling]:
    network = await network_billing()
    blockers = [Blocker(NETWORK, network.legal_name or NETWORK_NAME, tuple(network.blockers()))] if network.blockers() else []
    dealer_of = {s["account"]: s["dealer"] for s in settlement["statements"]}
    payments = [p for p in settlement["payments"] if p["method"] in (CREDIT_TRANSFER, DIRECT_DEBIT)]
    parties = await billing_by_dealer_id([dealer_of[p["payee"] if p["payer"] == NETWORK else p["payer"]]
                                          for p in payments if dealer_of[p["payee"] if p["payer"] == NETWORK else p["payer"]]])
    lines: dict[str, list[BankLine]] = {CREDIT_TRANSFER: [], DIRECT_DEBIT: []}
    for p in payments:
        collected = p["method"] == DIRECT_DEBIT
        account = p["payer"] if collected else p["payee"]
        if dealer_of[account] not in parties:  # a ledger account no dealer of the directory answers to
            blockers.append(Blocker(account, account, ("dealer",)))
            continue
        code, name, billing = parties[dealer_of[account]]
        if missing := billing.blockers(collected=collected):
            blockers.append(Blocker(code, billing.legal_name or name, tuple(missing)))
            continue
        lines[p["method"]].append(BankLine(code, billing.legal_name, billing.iban, cents(p["amount"]),
                                           billing.sdd_mandate_ref, billing.sdd_mandate_signed_on))
    return lines, blockers, network


async def blockers(settlement: dict) -> list[Blocker]:
    """Everything missing for this settlement's bank files (none under bilateral netting)."""
    if settlement["clearing"] != CENTRAL:
        return []
    return (await _lines(settlement))[1]


async def sepa_file(settlement: dict, kind: str) -> bytes:
    """One of the two files; 409 before approval, under bilateral netting, or while anything blocks it."""
    period = settlement["period"]
    if settlement["status"] == SettlementStatus.draft:
        raise Conflict(f"the settlement of {period} must be approved before its bank files", "status",
                       status=settlement["status"])
    if settlement["status"] == SettlementStatus.paid:
        # Sent to the bank again, the file would move the money a second time.
        raise Conflict(f"the payments of {period} are recorded as executed: its bank files are closed", "status",
                       status=settlement["status"])
    if settlement["clearing"] != CENTRAL:
        raise Conflict(f"{period} is settled by bilateral payments: there is no central SEPA file", "clearing")
    lines, found, network = await _lines(settlement)
    if found:
        raise Conflict(f"the bank files of {period} are blocked: billing data missing or invalid", "blockers",
                       blockers=[b.as_dict() for b in found])
    # A bank refuses a past execution date: a file exported late asks for the next working day.
    soon = today() + timedelta(days=1)
    while not is_working_day(soon):
        soon += timedelta(days=1)
    when = max(settlement["payment_date"] or soon, soon)
    reference = f"Liquidazione rete ricambi {period}"
    if kind == CREDIT_TRANSFERS:
        sepa = SepaTransfer({"name": network.legal_name, "IBAN": network.iban, "BIC": network.bic, "batch": True,
                             "currency": "EUR"}, schema="pain.001.001.03")
        for line in lines[CREDIT_TRANSFER]:
            sepa.add_payment({"name": line.name, "IBAN": line.iban, "amount": line.amount, "execution_date": when,
                              "description": f"{reference} {line.dealer_code}",
                              "endtoend_id": f"{period}-{line.dealer_code}"})
    else:
        sepa = SepaDD({"name": network.legal_name, "IBAN": network.iban, "BIC": network.bic, "batch": True,
                       "creditor_id": network.creditor_id, "currency": "EUR", "instrument": "B2B"},
                      schema="pain.008.001.02")
        for line in lines[DIRECT_DEBIT]:
            sepa.add_payment({"name": line.name, "IBAN": line.iban, "amount": line.amount, "type": "RCUR",
                              "collection_date": when, "mandate_id": line.mandate_ref,
                              "mandate_date": line.mandate_signed_on, "description": f"{reference} {line.dealer_code}",
                              "endtoend_id": f"{period}-{line.dealer_code}"})
    if not lines[_METHOD[kind]]:
        raise Conflict(f"no {kind.replace('-', ' ')} in {period}", "kind")
    return sepa.export(validate=True)
