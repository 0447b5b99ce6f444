"""Who pays whom to settle a month's closing balances.

Central clearing (the default): the network collects from every dealer that owes (SEPA B2B
direct debit) and pays every dealer that is owed (SEPA credit transfer) from its own account, the
way a manufacturer's parts credit works. Bilateral: the fewest dealer-to-dealer payments.
Either way a balance smaller than the minimum payout produces no bank line: it carries to the
next month (it is simply not settled, so the next statement opens with it).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from marketplace.settlement.ledger import NETWORK

ZERO = Decimal("0.00")
CENTRAL, BILATERAL = "central", "bilateral"
DIRECT_DEBIT, CREDIT_TRANSFER, BANK_TRANSFER = "direct_debit", "credit_transfer", "bank_transfer"


@dataclass(frozen=True, slots=True)
class Payment:
    payer: str
    payee: str
    amount: Decimal
    method: str = BANK_TRANSFER


def holds_money(account: str) -> bool:
    """Only dealers and the network hold money: a payment to or from anything else is a defect."""
    return account == NETWORK or account.startswith("dealer:")


def settled_balances(closing: dict[str, Decimal], minimum_payout: Decimal) -> dict[str, Decimal]:
    """The dealers' balances this month's payments settle (the others carry), and the network's
    side of them, so they sum to zero."""
    settled = {account: balance for account, balance in closing.items()
               if account != NETWORK and balance != 0 and abs(balance) >= minimum_payout}
    network = -sum(settled.values(), ZERO)
    return {**settled, NETWORK: network} if settled else {}


def central(settled: dict[str, Decimal]) -> list[Payment]:
    """Each dealer with the network: collected from when it owes, paid when it is owed."""
    payments = []
    for account, balance in sorted(settled.items()):
        if account == NETWORK:
            continue
        if balance < 0:
            payments.append(Payment(account, NETWORK, -balance, DIRECT_DEBIT))
        else:
            payments.append(Payment(NETWORK, account, balance, CREDIT_TRANSFER))
    return payments


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


def payments_for(closing: dict[str, Decimal], mode: str, minimum_payout: Decimal) -> list[Payment]:
    for account in closing:
        if not holds_money(account):
            raise ValueError(f"ledger account {account!r} holds no money: only dealers and the network are paid")
    settled = settled_balances(closing, minimum_payout)
    return central(settled) if mode == CENTRAL else net(settled)
