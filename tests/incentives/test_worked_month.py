"""docs/incentives.md's worked month, figure by figure: thresholds, rebates, waived fees, a
marketing claim approved and paid, and what the settlement shows."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest

from marketplace.errors import Conflict, Forbidden, Invalid
from marketplace.formatting import Formatter
from marketplace.incentives.applied import book_month
from marketplace.incentives.claims import decide_claim, submit_claim
from marketplace.incentives.figures import month_figures
from marketplace.incentives.overview import explanations, overview
from marketplace.incentives.tables import IncentiveBooking
from marketplace.settlement.settlements import approve, compute, get_settlement, record_payments
from marketplace.settlement.tables import LedgerEntry, LedgerLine
from marketplace.web.i18n import gettext_for
from tests.incentives.example import PDF, D, at, build_month

NOW = datetime(2026, 11, 29, 12, tzinfo=timezone.utc)


async def _lines(kind: str) -> list[tuple[str, str, Decimal]]:
    rows = await LedgerLine.select(LedgerLine.account, LedgerLine.kind, LedgerLine.amount).where(
        LedgerLine.entry.kind == kind).order_by(LedgerLine.id)
    return [(r["account"], r["kind"], r["amount"]) for r in rows]


async def test_the_month_figures():
    p = await build_month()
    f = await month_figures("2026-10", [p[c].id for c in ("D0011", "D0012", "D0013", "D0014")])
    d11 = f[p["D0011"].id]
    assert (d11.volume, d11.handling_fees, d11.platform_fees, d11.fees) == (D("5119.20"), D("4.00"), D("30.00"), D("34.00"))
    d12 = f[p["D0012"].id]
    assert (d12.volume, d12.fees) == (D("3760.00"), D("2.00"))
    d14 = f[p["D0014"].id]
    assert (d14.volume, d14.handling_fees, d14.platform_fees) == (D("323.20"), D("4.00"), D("6.00"))


async def test_rebates_and_waivers_booked_by_the_settlement():
    p = await build_month()
    await compute("2026-10")
    assert await _lines("rebate") == [
        ("network", "fee_rebate", D("-3.40")), ("dealer:D0011", "fee_rebate", D("3.40")),  # 10% of 34.00
        ("network", "fee_rebate", D("-0.10")), ("dealer:D0012", "fee_rebate", D("0.10")),  # 5% of 2.00
    ]
    # D0014's trial ends 15 October 10:00 UTC: transfer 4 (2.00) and order 2's platform fee (6.00)
    # are inside, transfer 5 (20 October) is not.
    assert await _lines("fee_waiver") == [("network", "fee_waiver", D("-8.00")), ("dealer:D0014", "fee_waiver", D("8.00"))]
    entry = await LedgerEntry.select().where(LedgerEntry.kind == "rebate").order_by(LedgerEntry.id).first()
    assert entry["period"] == "2026-10"
    assert entry["description"] == (
        "Sconto progressivo del 10% sulle commissioni di 2026-10 (34,00\xa0€): volume online 5.119,20\xa0€, soglia di "
        "5.000,00\xa0€ raggiunta; mancano 4.880,80\xa0€ per lo sconto del 15%")
    booked = await IncentiveBooking.select().where(IncentiveBooking.dealer == p["D0011"].id).output(load_json=True)
    assert [(b["kind"], b["amount"], b["rules_version"], b["basis"]["pct"]) for b in booked] == [
        ("rebate", D("3.40"), 1, "10.00")]

    # Recomputing books nothing more; a late transaction books only the difference.
    await compute("2026-10")
    assert len(await _lines("rebate")) == 4
    from marketplace.settlement.ledger import book_transfer
    await book_transfer(6, p["D0011"], p["D0013"], 1, D("5000.00"), at=at(25))  # volume 10,119.20: 15%
    assert await book_month("2026-10", now=NOW) == 1
    assert (await _lines("rebate"))[-2:] == [("network", "fee_rebate", D("-2.00")), ("dealer:D0011", "fee_rebate", D("2.00"))]
    # 15% of 36.00 (its handling fee counts too) = 5.40, of which 3.40 was booked.

    settlement = await get_settlement("2026-10")
    statements = {s["account"]: s["totals"] for s in settlement["statements"]}
    assert statements["dealer:D0011"]["fee_rebate"] == "3.40"  # the draft before the late transfer's recompute
    await compute("2026-10")
    statements = {s["account"]: s["totals"] for s in (await get_settlement("2026-10"))["statements"]}
    assert statements["dealer:D0011"]["fee_rebate"] == "5.40"
    assert statements["dealer:D0014"]["fee_waiver"] == "8.00"
    assert statements["dealer:D0014"]["handling_fee"] == "-4.00"  # charged, and 2.00 of it waived with the platform fee


async def test_the_dealers_explanation_in_plain_italian():
    p = await build_month()
    await compute("2026-10")
    o = await overview("D0012", "2026-10", now=NOW)
    _ = gettext_for("it")
    said = [_(m, **v) for m, v in explanations(o, Formatter("it"))]
    assert said == [
        "I tuoi ordini online di 3.760,00\xa0€ questo mese ti danno lo sconto del 5% sulle commissioni della rete",
        "Ti mancano 1.240,00\xa0€ di ordini online per lo sconto del 10%",
        "Sconto accreditato sull'estratto conto del mese: 0,10\xa0€",
    ]
    assert p["D0012"].id == o.dealer_id


async def test_a_marketing_claim_approved_and_paid():
    p = await build_month()
    claim = await submit_claim(p["D0013"].id, "1200,00", "Volantino co-branded autunno", "volantino.pdf", PDF,
                               "user:admin@d0013", now=at(27))
    with pytest.raises(Invalid) as too_much:  # 3,000.00 a year, 1,200.00 waiting
        await submit_claim(p["D0013"].id, "2000.00", "Fiera", "fiera.pdf", PDF, "user:admin@d0013", now=at(27))
    assert too_much.value.field == "amount"
    with pytest.raises(Invalid) as not_a_document:
        await submit_claim(p["D0013"].id, "100", "Fiera", "fiera.exe", b"MZ\x90\x00", "user:x", now=at(27))
    assert not_a_document.value.field == "document"
    with pytest.raises(Forbidden):  # only large distributors
        await submit_claim(p["D0011"].id, "100", "Fiera", "f.pdf", PDF, "user:x", now=at(27))

    entry = await decide_claim(claim, True, "user:boss", now=at(28))
    assert await _lines("marketing") == [("network", "marketing_contribution", D("-1200.00")),
                                         ("dealer:D0013", "marketing_contribution", D("1200.00"))]
    with pytest.raises(Conflict):
        await decide_claim(claim, True, "user:boss", now=at(28))
    assert (await LedgerEntry.select(LedgerEntry.period).where(LedgerEntry.id == entry).first())["period"] == "2026-10"

    await compute("2026-10")
    await approve("2026-10", "test")
    settlement = await get_settlement("2026-10")
    d13 = next(s for s in settlement["statements"] if s["account"] == "dealer:D0013")
    assert d13["totals"]["marketing_contribution"] == "1200.00"
    # D0013 sold 4,200.00 + 3,760.00 + 100.00 + 40.00 to the others, earned 50.00 + 10.00 referrals: paid by the network.
    assert d13["closing"] == D("9360.00")
    paid_to_d13 = [x for x in settlement["payments"] if x["payee"] == "dealer:D0013"]
    assert [x["amount"] for x in paid_to_d13] == [D("9360.00")]
    await record_payments("2026-10", "test", paid_on=datetime(2026, 11, 10).date(), today=NOW.date())
