"""docs/incentives.md's worked month (October 2026), built through the owners' functions."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from marketplace.network.tables import Dealer
from marketplace.settlement.ledger import EntryKind, Party, book, book_transfer, order_lines
from marketplace.settlement.rules import rules_at
from marketplace.wiring import connect_domains
from tests.conftest import make_dealer

D = Decimal
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def at(day: int, month: int = 10, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=timezone.utc)


# code: (postal code, tier)
DEALERS = {"D0011": ("20121", "urban"), "D0012": ("10121", "urban"), "D0013": ("24121", "distributor"),
           "D0014": ("00184", "new"), "D0015": ("27029", "provincial")}
ACTIVATED = at(15, 9)  # D0014 joined on 15 September: its trial runs to 15 October 10:00 UTC


async def build_month() -> dict[str, Party]:
    connect_domains()  # the settlement's incentive hook
    p = {}
    for code, (cap, tier) in DEALERS.items():
        dealer = await make_dealer(code, cap, name=f"Ricambi {code}", tier=tier)
        p[code] = Party(dealer["id"], code)
    await Dealer.update({Dealer.created_at: ACTIVATED}).where(Dealer.code == "D0014")
    await Dealer.update({Dealer.created_at: at(1, 1)}).where(Dealer.code != "D0014")
    rules = await rules_at()
    # D0011 (urban): buys 4,200.00 through the portal and sells a 1,000.00 online order.
    await book_transfer(1, p["D0011"], p["D0013"], 20, D("150.00"), at=at(5))
    await book_transfer(2, p["D0011"], p["D0013"], 10, D("120.00"), at=at(12))
    await book(EntryKind.order, "order:1", order_lines(D("1000.00"), [(p["D0011"], D("1000.00"))], p["D0013"],
                                                       p["D0011"], "basic", rules), at=at(20))
    # D0012 (urban): buys 3,760.00.
    await book_transfer(3, p["D0012"], p["D0013"], 20, D("188.00"), at=at(7))
    # D0014 (new): a transfer and a sale inside its trial, a transfer after it.
    await book_transfer(4, p["D0014"], p["D0013"], 2, D("50.00"), at=at(10))
    await book(EntryKind.order, "order:2", order_lines(D("200.00"), [(p["D0014"], D("200.00"))], p["D0013"],
                                                       p["D0014"], "basic", rules), at=at(12))
    await book_transfer(5, p["D0014"], p["D0013"], 1, D("40.00"), at=at(20))
    return p
