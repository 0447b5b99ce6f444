"""docs/settlement.md's worked example, figure by figure."""

import io
import os
from datetime import date, datetime, timezone
from decimal import Decimal

import sepaxml
import xmlschema

from marketplace.network.billing import DealerBilling, NetworkBilling, update_dealer_billing, update_network_billing
from marketplace.network.tables import Dealer
from marketplace.seed_billing import NETWORK_BILLING, dealer_billing_values
from marketplace.settlement.ledger import EntryKind, Party, book, book_transfer, order_lines
from marketplace.settlement.rules import rules_at
from marketplace.settlement.sepa import CREDIT_TRANSFERS, DIRECT_DEBITS, sepa_file
from marketplace.settlement.settlements import approve, compute, get_settlement, record_payments
from marketplace.settlement.tables import LedgerEntry, LedgerLine
from tests.conftest import make_dealer

OCTOBER = datetime(2026, 10, 14, 10, tzinfo=timezone.utc)
D = Decimal


async def _dealers() -> dict[str, Party]:
    places = {"D0002": "20121", "D0003": "20900", "D0004": "24121", "D0005": "10121", "D0006": "00184"}
    parties = {}
    for n, (code, cap) in enumerate(places.items()):
        dealer = await make_dealer(code, cap, name=f"Officina {code}")
        await update_dealer_billing(code, DealerBilling(**dealer_billing_values(n, code, f"Officina {code}")))
        parties[code] = Party(dealer["id"], code)
    await update_network_billing(NetworkBilling(**NETWORK_BILLING))
    return parties


async def _lines(source: str) -> list[tuple[str, str, Decimal]]:
    rows = await LedgerLine.select(LedgerLine.account, LedgerLine.kind, LedgerLine.amount).where(
        LedgerLine.entry.source == source).order_by(LedgerLine.id)
    return [(r["account"], r["kind"], r["amount"]) for r in rows]


def _control(xml: bytes, schema: str) -> tuple[Decimal, int]:
    document = xmlschema.XMLSchema(os.path.join(os.path.dirname(sepaxml.__file__), "schemas", f"{schema}.xsd"))
    document.validate(io.BytesIO(xml))
    root = document.to_dict(io.BytesIO(xml))
    header = next(v for k, v in root.items() if not k.startswith("@"))["GrpHdr"]
    return D(str(header["CtrlSum"])), int(header["NbOfTxs"])


async def test_the_worked_example_of_docs_settlement_md():
    p = await _dealers()
    rules = await rules_at()
    assert (rules.referral_pct, rules.pickup_fee, rules.platform_fee_pct, rules.transfer_handling_fee) == (
        D("5.00"), D("0.80"), D("3.00"), D("2.00"))

    # 1. D0002 requests 3 x 33.33 from D0003, shipped (what the ship step books).
    await book_transfer(1, p["D0002"], p["D0003"], 3, D("33.33"), at=OCTOBER)
    assert await _lines("transfer:1") == [
        ("dealer:D0002", "transfer_price", D("-99.99")), ("dealer:D0003", "transfer_price", D("99.99")),
        ("dealer:D0002", "handling_fee", D("-2.00")), ("network", "handling_fee", D("2.00"))]

    # 2. EUR 100.00 sold by D0005, customer in D0004's territory, collected and paid at D0006's basic point.
    await book(EntryKind.order, "order:1", order_lines(D("100.00"), [(p["D0005"], D("100.00"))], p["D0004"], p["D0006"],
                                                       "basic", rules, payment_method="counter"), at=OCTOBER)
    assert await _lines("order:1") == [
        ("dealer:D0006", "customer_payment", D("-100.00")), ("dealer:D0004", "referral", D("5.00")),
        ("network", "platform_fee", D("3.00")), ("dealer:D0006", "pickup_fee", D("0.80")),
        ("dealer:D0005", "sale", D("91.20"))]

    await compute("2026-10")
    await approve("2026-10", "test")
    october = await get_settlement("2026-10")
    statements = {s["account"]: (s["opening"], s["closing"], s["carried"]) for s in october["statements"]}
    assert statements == {
        "dealer:D0002": (D("0.00"), D("-101.99"), D("0.00")), "dealer:D0003": (D("0.00"), D("99.99"), D("0.00")),
        "dealer:D0004": (D("0.00"), D("5.00"), D("5.00")), "dealer:D0005": (D("0.00"), D("91.20"), D("0.00")),
        "dealer:D0006": (D("0.00"), D("-99.20"), D("0.00")), "network": (D("0.00"), D("5.00"), D("-5.00"))}
    assert {(p_["payer"], p_["payee"], p_["amount"], p_["method"]) for p_ in october["payments"]} == {
        ("dealer:D0002", "network", D("101.99"), "direct_debit"), ("dealer:D0006", "network", D("99.20"), "direct_debit"),
        ("network", "dealer:D0003", D("99.99"), "credit_transfer"),
        ("network", "dealer:D0005", D("91.20"), "credit_transfer")}
    assert _control(await sepa_file(october, DIRECT_DEBITS), "pain.008.001.02") == (D("201.19"), 2)
    assert _control(await sepa_file(october, CREDIT_TRANSFERS), "pain.001.001.03") == (D("191.19"), 2)

    entry = await record_payments("2026-10", "test", date(2026, 11, 10))
    assert (await LedgerEntry.select(LedgerEntry.period).where(LedgerEntry.id == entry).first())["period"] == "2026-11"
    assert sorted(await _lines("settlement:2026-10")) == sorted([
        ("dealer:D0002", "settlement_payment", D("101.99")), ("dealer:D0003", "settlement_payment", D("-99.99")),
        ("dealer:D0005", "settlement_payment", D("-91.20")), ("dealer:D0006", "settlement_payment", D("99.20")),
        ("network", "settlement_payment", D("-10.00"))])
    await compute("2026-11")
    november = {s["account"]: (s["opening"], D(s["totals"].get("settlement_payment", "0.00")), s["closing"])
                for s in (await get_settlement("2026-11"))["statements"]}
    assert november == {
        "dealer:D0002": (D("-101.99"), D("101.99"), D("0.00")), "dealer:D0003": (D("99.99"), D("-99.99"), D("0.00")),
        "dealer:D0004": (D("5.00"), D("0.00"), D("5.00")), "dealer:D0005": (D("91.20"), D("-91.20"), D("0.00")),
        "dealer:D0006": (D("-99.20"), D("99.20"), D("0.00")), "network": (D("5.00"), D("-10.00"), D("-5.00"))}
    # The statement's words: names and Italian descriptions.
    description = (await LedgerEntry.select(LedgerEntry.description).where(LedgerEntry.source == "transfer:1").first())
    assert description["description"] == "Trasferimento 1: 3 × 33,33 € da D0003 · Officina D0003 a D0002 · Officina D0002"
    assert await Dealer.count() == 5
