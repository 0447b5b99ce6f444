"""Money where it really is: counter cash, central clearing with the minimum payout, payments
booked back into the ledger, the approval lock, SEPA files and statements an accountant reads."""

import asyncio
import io
import os
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
import sepaxml
import xmlschema

from marketplace.accounts.tables import Role
from marketplace.errors import Conflict, Invalid
from marketplace.network.billing import DealerBilling, NetworkBilling, update_dealer_billing, update_network_billing
from marketplace.network.tables import Dealer, NetworkSettings
from marketplace.piccolo_conf import DB
from marketplace.seed_billing import NETWORK_BILLING, dealer_billing_values
from marketplace.settlement.ledger import EntryKind, Line, book, dealer_account
from marketplace.settlement.settlements import approve, compute, get_settlement, record_payments
from marketplace.settlement.tables import LedgerEntry, LedgerLine
from tests.conftest import csrf_token, make_key, make_user, sign_in
from tests.matching.network import build_network

SEP = datetime(2026, 9, 10, 10, tzinfo=timezone.utc)
OCT = datetime(2026, 10, 5, 10, tzinfo=timezone.utc)
SCHEMAS = os.path.join(os.path.dirname(sepaxml.__file__), "schemas")


async def ids() -> dict[str, int]:
    return {r["code"]: r["id"] for r in await Dealer.select(Dealer.id, Dealer.code)}


async def transfer(source: str, requester: str, supplier: str, goods: str, at: datetime) -> None:
    dealer = await ids()
    await book(EntryKind.transfer, source, [
        Line(dealer_account(requester), "transfer_price", -Decimal(goods), dealer[requester]),
        Line(dealer_account(supplier), "transfer_price", Decimal(goods), dealer[supplier]),
        Line(dealer_account(requester), "handling_fee", Decimal("-2.00"), dealer[requester]),
        Line("network", "handling_fee", Decimal("2.00"))], at=at)


async def september():
    """MI owes 40.00, MZ is owed 15.50, BG 12.50, TO 6.00 (under the minimum payout), network 6.00."""
    await build_network()
    await transfer("transfer:1", "MI", "MZ", "30.00", SEP)
    await transfer("transfer:2", "MZ", "BG", "12.50", SEP)
    await transfer("transfer:3", "MI", "TO", "6.00", SEP)


async def with_billing():
    for n, (code, row_id) in enumerate(sorted((await ids()).items())):
        values = dealer_billing_values(n, code, f"Dealer {code}")
        await update_dealer_billing(code, DealerBilling(**values))
    await update_network_billing(NetworkBilling(**NETWORK_BILLING))


def by_account(settlement: dict) -> dict[str, dict]:
    return {s["account"]: s for s in settlement["statements"]}


def payments(settlement: dict) -> set[tuple]:
    return {(p["payer"], p["payee"], p["amount"], p["method"]) for p in settlement["payments"]}


# --- counter cash ---------------------------------------------------------------------------

async def test_counter_cash_is_owed_by_the_pickup_points_dealer_and_only_money_holders_are_paid(client):
    from marketplace.inventory.catalog import import_catalog
    from marketplace.pickup.points import PointInput, Schedule, create_point
    from tests.matching.network import key_of, stock
    from tests.pickup.test_order_lifecycle import auth
    from tests.pickup.test_orders import HOURS, milano_point, order  # noqa: F401

    await build_network()
    await import_catalog(b"part_number,description,list_price,map_price,channel\nAIRBAG-1,Airbag,500.00,,physical_only\n")
    point = await create_point(PointInput("MI", "Ritiro Milano", "basic", "20121", "", Schedule(HOURS, 60, 30)))
    await stock("MI", "03L 115 562", 4)  # one customer holds at most half of the network's units
    placed = (await order(client, point, [{"part_number": "03L115562", "quantity": 2}])).json()
    staff = await key_of("MI")
    await client.post(f"/api/v1/orders/{placed['id']}/ready", headers=auth(staff))
    done = await client.post(f"/api/v1/orders/{placed['id']}/collect", json={"pickup_code": placed["pickup_code"]},
                             headers=auth(staff))
    assert done.status_code == 200
    accounts = {r["account"] for r in await LedgerLine.select(LedgerLine.account)}
    assert accounts == {"dealer:MI", "network"}  # nobody else holds the customer's EUR 24.00
    entry = await LedgerEntry.select(LedgerEntry.description).first()
    assert entry["description"] == f"Ordine {placed['id']} ritirato a MI · Dealer MI"

    await NetworkSettings.update({NetworkSettings.minimum_payout: Decimal("0.00")}, force=True)
    await compute("2026-11")
    settlement = await get_settlement("2026-11")
    # MI took 24.00 in cash and earned 21.28 (sale) + 0.80 (pickup fee): it owes the network 1.92.
    assert by_account(settlement)["dealer:MI"]["closing"] == Decimal("-1.92")
    assert payments(settlement) == {("dealer:MI", "network", Decimal("1.92"), "direct_debit")}


def test_an_online_payment_is_owed_by_the_network():
    from marketplace.settlement.ledger import Party, order_lines
    from marketplace.settlement.rules import Rules

    rules = Rules(1, SEP, Decimal("5"), Decimal("0.80"), Decimal("6"), Decimal("3"), Decimal("2.00"))
    online = order_lines(Decimal("100.00"), [(Party(5, "D0005"), Decimal("100.00"))], None, Party(6, "D0006"),
                         "basic", rules, payment_method="online")
    assert [(l.account, l.amount) for l in online if l.kind == "customer_payment"] == [("network", Decimal("-100.00"))]
    with pytest.raises(ValueError):
        order_lines(Decimal("1.00"), [(Party(5, "D0005"), Decimal("1.00"))], None, Party(6, "D0006"), "basic", rules,
                    payment_method="cheque")


async def test_a_ledger_account_that_holds_no_money_stops_the_settlement():
    await book(EntryKind.order, "order:1", [Line("clearing", "customer_payment", Decimal("-5.00")),
                                            Line("network", "platform_fee", Decimal("5.00"))], at=SEP)
    with pytest.raises(Conflict, match="holds no money"):
        await compute("2026-09")


# --- central clearing, minimum payout, payments booked ---------------------------------------

async def test_payments_are_booked_and_the_next_month_opens_with_only_what_is_unpaid():
    await september()
    await compute("2026-09")
    sep = await get_settlement("2026-09")
    assert sep["clearing"] == "central"
    assert payments(sep) == {
        ("dealer:MI", "network", Decimal("40.00"), "direct_debit"),
        ("network", "dealer:MZ", Decimal("15.50"), "credit_transfer"),
        ("network", "dealer:BG", Decimal("12.50"), "credit_transfer")}
    assert by_account(sep)["dealer:TO"]["carried"] == Decimal("6.00")  # under EUR 10.00: no bank line
    await approve("2026-09", "test")

    await transfer("transfer:4", "MZ", "BG", "20.00", OCT)
    await compute("2026-10")
    with pytest.raises(Conflict, match="payments of 2026-09 are not recorded"):
        await approve("2026-10", "test")  # its opening holds September's unpaid balances: no double payment
    with pytest.raises(Invalid) as refused:
        await record_payments("2026-09", "test", date(2026, 9, 30))  # before the month ended
    assert refused.value.field == "paid_on"
    entry = await record_payments("2026-09", "test", date(2026, 10, 10))
    booked = await LedgerEntry.select(LedgerEntry.kind, LedgerEntry.period, LedgerEntry.booked_at).where(
        LedgerEntry.id == entry).first()
    assert (booked["kind"], booked["period"]) == ("settlement_payment", "2026-10")
    lines = {r["account"]: r["amount"] for r in await LedgerLine.select(LedgerLine.account, LedgerLine.amount).where(
        LedgerLine.entry == entry)}
    assert lines == {"dealer:MI": Decimal("40.00"), "dealer:MZ": Decimal("-15.50"), "dealer:BG": Decimal("-12.50"),
                     "network": Decimal("-12.00")}
    assert (await get_settlement("2026-09"))["status"] == "paid"

    await compute("2026-10")
    oct_ = await get_settlement("2026-10")
    statements = by_account(oct_)
    assert (statements["dealer:MI"]["opening"], statements["dealer:MI"]["closing"]) == (Decimal("-40.00"), Decimal("0.00"))
    assert statements["dealer:MI"]["totals"] == {"settlement_payment": "40.00"}
    assert statements["dealer:MZ"]["closing"] == Decimal("-22.00")
    assert statements["dealer:BG"]["closing"] == Decimal("20.00")
    assert statements["dealer:TO"]["closing"] == statements["dealer:TO"]["carried"] == Decimal("6.00")
    assert statements["network"]["closing"] == Decimal("-4.00")
    assert payments(oct_) == {("dealer:MZ", "network", Decimal("22.00"), "direct_debit"),
                              ("network", "dealer:BG", Decimal("20.00"), "credit_transfer")}
    await approve("2026-10", "test")
    assert (await get_settlement("2026-10"))["status"] == "approved"


async def test_bilateral_netting_stays_an_option():
    await september()
    await NetworkSettings.update({NetworkSettings.clearing: "bilateral"}, force=True)
    await compute("2026-09")
    settled = await get_settlement("2026-09")
    assert settled["clearing"] == "bilateral"
    found = payments(settled)
    assert all(method == "bank_transfer" for *_, method in found)
    assert sum(amount for payer, _, amount, _ in found if payer == "dealer:MI") == Decimal("40.00")
    assert len(found) <= 3  # four parties (MI, MZ, BG, the network), TO carried


# --- approval ---------------------------------------------------------------------------------

async def test_only_a_month_that_has_ended_is_approved(client):
    now = datetime.now(timezone.utc)
    await book(EntryKind.transfer, "transfer:1", [Line("network", "x", Decimal("1.00")),
                                                  Line("network", "x", Decimal("-1.00"))], at=now)
    from marketplace.settlement.periods import period_of

    period = period_of(now)
    key = await make_key(Role.network_manager)
    await client.post("/api/v1/settlements", json={"period": period}, headers={"Authorization": f"Bearer {key}"})
    refused = await client.post(f"/api/v1/settlements/{period}/approve", headers={"Authorization": f"Bearer {key}"})
    assert refused.status_code == 409 and refused.json()["field"] == "period"
    assert (await get_settlement(period))["status"] == "draft"


async def test_approval_waits_for_a_booking_in_flight_and_a_later_booking_goes_to_the_next_month():
    await september()
    await compute("2026-09")
    booked, release = asyncio.Event(), asyncio.Event()

    async def slow_booking():
        async with DB.transaction():
            await transfer("transfer:9", "BG", "MI", "100.00", SEP)
            booked.set()
            await release.wait()  # still uncommitted while the manager approves

    booking = asyncio.create_task(slow_booking())
    await booked.wait()
    approval = asyncio.create_task(approve("2026-09", "test"))
    await asyncio.sleep(0.5)
    assert not approval.done()  # it waits on the month's lock
    release.set()
    await booking
    await approval
    september_ = await get_settlement("2026-09")
    assert by_account(september_)["dealer:BG"]["closing"] == Decimal("-89.50")  # the booking is in the month
    entry = await LedgerEntry.select(LedgerEntry.period, LedgerEntry.adjustment).where(
        LedgerEntry.source == "transfer:9").first()
    assert entry == {"period": "2026-09", "adjustment": False}

    # Booked after the approval: the next open month, as an adjustment. Both racing the other way
    # round too: whichever takes the lock first, the entry is in exactly one month's statements.
    results = await asyncio.gather(transfer("transfer:10", "BG", "MI", "1.00", SEP), compute("2026-10"))
    late = await LedgerEntry.select(LedgerEntry.period, LedgerEntry.adjustment).where(
        LedgerEntry.source == "transfer:10").first()
    assert late == {"period": "2026-10", "adjustment": True} and results


# --- SEPA -------------------------------------------------------------------------------------

def _control(xml: bytes, schema: str) -> tuple[Decimal, int]:
    document = xmlschema.XMLSchema(os.path.join(SCHEMAS, f"{schema}.xsd"))
    document.validate(io.BytesIO(xml))  # raises on any error
    data = document.to_dict(io.BytesIO(xml))
    header = next(iter(v for k, v in data.items() if not k.startswith("@")))["GrpHdr"]
    return Decimal(str(header["CtrlSum"])), int(header["NbOfTxs"])


async def test_sepa_files_of_an_approved_month_are_valid_and_sum_to_the_balances(client):
    await september()
    await with_billing()
    await compute("2026-09")
    key = await make_key(Role.network_manager)
    auth = {"Authorization": f"Bearer {key}"}
    early = await client.get("/api/v1/settlements/2026-09/sepa/credit-transfers.xml", headers=auth)
    assert early.status_code == 409  # a draft has no bank files
    await approve("2026-09", "test")
    credit = await client.get("/api/v1/settlements/2026-09/sepa/credit-transfers.xml", headers=auth)
    assert credit.status_code == 200, credit.text
    assert _control(credit.content, "pain.001.001.03") == (Decimal("28.00"), 2)  # MZ 15.50 + BG 12.50
    debit = await client.get("/api/v1/settlements/2026-09/sepa/direct-debits.xml", headers=auth)
    assert debit.status_code == 200, debit.text
    assert _control(debit.content, "pain.008.001.02") == (Decimal("40.00"), 1)  # MI
    assert b"<Cd>B2B</Cd>" in debit.content and b"RICAMBI-MI" in debit.content
    dealer_key = await make_key(Role.dealer_admin, (await ids())["MI"])
    assert (await client.get("/api/v1/settlements/2026-09/sepa/direct-debits.xml",
                             headers={"Authorization": f"Bearer {dealer_key}"})).status_code == 403


async def test_a_dealer_without_iban_or_mandate_blocks_the_files_and_is_listed(manager):
    await september()
    await with_billing()
    await Dealer.update({Dealer.iban: ""}).where(Dealer.code == "MZ")
    await Dealer.update({Dealer.sdd_mandate_ref: "", Dealer.sdd_mandate_signed_on: None}).where(Dealer.code == "MI")
    await compute("2026-09")
    await approve("2026-09", "test")
    key = await make_key(Role.network_manager)
    refused = await manager.get("/api/v1/settlements/2026-09/sepa/credit-transfers.xml",
                                headers={"Authorization": f"Bearer {key}"})
    assert refused.status_code == 409
    assert {(b["party"], tuple(b["missing"])) for b in refused.json()["blockers"]} == {
        ("MZ", ("iban",)), ("MI", ("sdd_mandate_ref",))}
    detail = await manager.get("/settlements/2026-09")
    assert "MZ · Dealer MZ S.r.l." in detail.text and "/billing/dealers/MI" in detail.text
    read = await manager.get("/api/v1/settlements/2026-09", headers={"Authorization": f"Bearer {key}"})
    assert {b["party"] for b in read.json()["blockers"]} == {"MZ", "MI"}


# --- billing data -----------------------------------------------------------------------------

async def test_billing_data_are_checked_field_by_field_and_a_dealer_admin_edits_only_its_own(client):
    await build_network()
    await make_user("admin@mi.example", Role.dealer_admin, "MI")
    await sign_in(client, "admin@mi.example")
    token = await csrf_token(client, "/billing/dealers/MI")
    good = dealer_billing_values(1, "MI", "Dealer MI")
    form = {"_csrf_token": token, **{k: str(v) for k, v in good.items()}}
    for field, bad in (("iban", "IT60X0542811101000000123457"), ("vat_number", "01234567890"),
                       ("billing_email", "nope"), ("sdd_mandate_signed_on", "2026-02-30")):
        refused = await client.post("/billing/dealers/MI", data={**form, field: bad})
        assert refused.status_code == 422, field
        assert f'id="e-{field}"' in refused.text
        assert (await Dealer.select(Dealer.iban).where(Dealer.code == "MI").first())["iban"] == ""
    saved = await client.post("/billing/dealers/MI", data={**form, "iban": good["iban"][:4] + " " + good["iban"][4:]})
    assert saved.status_code == 303
    row = await Dealer.select(Dealer.iban, Dealer.vat_number, Dealer.sdd_mandate_signed_on).where(
        Dealer.code == "MI").first()
    assert row == {"iban": good["iban"], "vat_number": good["vat_number"], "sdd_mandate_signed_on": date(2025, 1, 15)}
    assert (await client.get("/billing/dealers/MZ")).status_code == 404


async def test_network_settings_take_the_clearing_mode_minimum_payout_and_the_networks_bank_data(manager):
    token = await csrf_token(manager, "/network/settings")
    form = {"_csrf_token": token, "stale_feed_hours": "48", "transfer_discount_pct": "20",
            "full_feed_reject_limit_pct": "5", "transfer_sla_hours": "4", "online_discount_pct": "0",
            "transfer_days": "2", "shipping_deadline_days": "3", "clearing": "bilateral", "minimum_payout": "25,00",
            **NETWORK_BILLING}
    bad = await manager.post("/network/settings", data={**form, "creditor_id": "IT00ZZZ123"})
    assert bad.status_code == 422 and 'id="e-creditor_id"' in bad.text
    ok = await manager.post("/network/settings", data=form)
    assert ok.status_code == 303
    row = await NetworkSettings.select(NetworkSettings.clearing, NetworkSettings.minimum_payout,
                                       NetworkSettings.shipping_deadline_days, NetworkSettings.creditor_id).first()
    assert row == {"clearing": "bilateral", "minimum_payout": Decimal("25.00"), "shipping_deadline_days": 3,
                   "creditor_id": NETWORK_BILLING["creditor_id"]}


# --- statements -------------------------------------------------------------------------------

async def test_a_statement_names_the_parties_in_italian_and_comes_as_csv_and_pdf(manager):
    await september()
    await with_billing()
    await compute("2026-09")
    page = await manager.get("/settlements/2026-09/statements/dealer:MZ")
    assert page.status_code == 200
    assert "MZ · Dealer MZ" in page.text and "Dealer MZ S.r.l." in page.text
    csv = (await manager.get("/settlements/2026-09/statements/dealer:MZ/csv")).text.lstrip("\ufeff")
    assert "Partita IVA;" in csv and "Saldo finale;15,50" in csv and "Bonifico SEPA da ricevere da Rete Ricambi" in csv
    pdf = await manager.get("/settlements/2026-09/statements/MZ.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.content[:4] == b"%PDF"
    key = await make_key(Role.network_manager)
    api_pdf = await manager.get("/api/v1/settlements/2026-09/statements/MZ.pdf", headers={"Authorization": f"Bearer {key}"})
    assert api_pdf.status_code == 200 and api_pdf.content[:4] == b"%PDF"
    payments_csv = (await manager.get("/settlements/2026-09/payments-csv")).text.lstrip("\ufeff")
    assert payments_csv.splitlines()[0] == "Pagatore;Partita IVA pagatore;Beneficiario;Partita IVA beneficiario;Modalità;Importo (EUR)"
    assert "MI · Dealer MI;" in payments_csv and ";40,00" in payments_csv


# --- review: months approved in order, far periods, closed bank files ---------------------

async def test_months_are_approved_in_order_so_no_balance_is_paid_twice():
    """October's opening holds September's balances: approving October while September is a
    draft, then September, would put MI's 40.00 in two bank files."""
    await september()
    await compute("2026-09")
    await transfer("transfer:4", "MZ", "BG", "20.00", OCT)
    await compute("2026-10")
    with pytest.raises(Conflict, match="approve 2026-09 first"):
        await approve("2026-10", "test")
    assert (await get_settlement("2026-10"))["status"] == "draft"
    await approve("2026-09", "test")
    await record_payments("2026-09", "test", date(2026, 10, 10))
    await approve("2026-10", "test")
    with pytest.raises(Conflict):  # and never the other way round: September is paid, October approved
        await approve("2026-09", "test")


async def test_a_far_period_is_refused_not_a_500(client):
    key = await make_key(Role.network_manager)
    auth = {"Authorization": f"Bearer {key}"}
    for period in ("9999-12", "0999-05", "1999-12"):
        answer = await client.post("/api/v1/settlements", json={"period": period}, headers=auth)
        assert answer.status_code in (400, 422) and "period" in answer.text, (period, answer.text)
        assert (await client.post(f"/api/v1/settlements/{period}/approve", headers=auth)).status_code < 500


async def test_a_paid_months_bank_files_are_closed(client):
    await september()
    await with_billing()
    await compute("2026-09")
    await approve("2026-09", "test")
    auth = {"Authorization": f"Bearer {await make_key(Role.network_manager)}"}
    late = await client.get("/api/v1/settlements/2026-09/sepa/credit-transfers.xml", headers=auth)
    assert late.status_code == 200
    # Exported after the payment date had passed: the bank is asked for a working day to come.
    executed = date.fromisoformat(late.text.split("<ReqdExctnDt>")[1][:10])
    assert executed > date.today() and executed.weekday() < 5
    await record_payments("2026-09", "test", date(2026, 10, 10))
    for kind in ("credit-transfers", "direct-debits"):
        closed = await client.get(f"/api/v1/settlements/2026-09/sepa/{kind}.xml", headers=auth)
        assert closed.status_code == 409 and "recorded" in closed.json()["detail"]
