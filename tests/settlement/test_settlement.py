"""The ledger of shipped transfers, reversals, rule versions, and the monthly settlement."""

from datetime import datetime, timezone
from decimal import Decimal

import asyncpg
import pytest

from marketplace.accounts.tables import Role
from marketplace.settlement.clearing import net
from marketplace.settlement.ledger import EntryKind, Line, book, reverse
from marketplace.settlement.rules import new_version, rules_at
from marketplace.settlement.settlements import compute
from marketplace.settlement.tables import LedgerEntry, LedgerLine
from tests.conftest import csrf_token, make_key
from tests.matching.network import build_network, key_of, stock

NOV = datetime(2026, 9, 10, 12, tzinfo=timezone.utc)  # a month that has ended (only those are approved)
DEC = datetime(2026, 10, 3, 12, tzinfo=timezone.utc)


async def ledger(source: str) -> dict[str, Decimal]:
    rows = await LedgerLine.select(LedgerLine.account, LedgerLine.kind, LedgerLine.amount).where(
        LedgerLine.entry.source == source)
    return {f"{r['account']}/{r['kind']}": r["amount"] for r in rows}


async def test_shipping_a_transfer_writes_balanced_lines_with_the_rules_version(client):
    await build_network()
    await stock("MZ", "03L 115 562", 5, "9.95")
    keys = {code: await key_of(code) for code in ("MI", "MZ")}
    transfer = (await client.post("/api/v1/transfers", json={"supplier": "MZ", "part_number": "03L115562", "quantity": 3},
                                  headers={"Authorization": f"Bearer {keys['MI']}"})).json()
    await client.post(f"/api/v1/transfers/{transfer['id']}/accept", headers={"Authorization": f"Bearer {keys['MZ']}"})
    assert await LedgerEntry.count() == 0  # nothing moves before shipping
    await client.post(f"/api/v1/transfers/{transfer['id']}/ship", json={"carrier": "BRT"},
                      headers={"Authorization": f"Bearer {keys['MZ']}"})
    assert await ledger(f"transfer:{transfer['id']}") == {
        "dealer:MI/transfer_price": Decimal("-29.85"), "dealer:MZ/transfer_price": Decimal("29.85"),
        "dealer:MI/handling_fee": Decimal("-2.00"), "network/handling_fee": Decimal("2.00")}
    entry = await LedgerEntry.select(LedgerEntry.rules_version).first()
    assert entry["rules_version"] == 1


async def test_a_transaction_is_booked_once_and_the_database_refuses_unbalanced_or_edited_lines():
    lines = [Line("dealer:A", "sale", Decimal("1.00")), Line("network", "sale", Decimal("-1.00"))]
    await book(EntryKind.transfer, "transfer:1", lines)
    from marketplace.errors import Conflict

    with pytest.raises(Conflict):
        await book(EntryKind.transfer, "transfer:1", lines)
    with pytest.raises(ValueError):
        await book(EntryKind.transfer, "transfer:2", lines[:1])
    from marketplace.piccolo_conf import DB

    with pytest.raises(asyncpg.RaiseError, match="immutable"):
        await DB.run_ddl("UPDATE ledger_line SET amount = 5")
    with pytest.raises(asyncpg.RaiseError, match="do not sum to zero"):
        async with DB.transaction() as tx:
            entry = await tx.connection.fetchval(
                "INSERT INTO ledger_entry (kind, source, description, booked_at, period, adjustment)"
                " VALUES ('transfer', 'x', '', now(), '2026-09', false) RETURNING id")
            await tx.connection.execute(
                "INSERT INTO ledger_line (entry, account, kind, amount) VALUES ($1, 'network', 'x', 1),"
                " ($1, 'dealer:A', 'x', -0.99)", entry)
    assert await LedgerEntry.count() == 1


async def test_a_reversal_mirrors_the_lines_once():
    original = await book(EntryKind.transfer, "transfer:7", [
        Line("dealer:A", "transfer_price", Decimal("-10.00")), Line("dealer:B", "transfer_price", Decimal("10.00"))])
    reversal = await reverse(original, "wrong part")
    assert await ledger(f"entry:{original}") == {"dealer:A/transfer_price": Decimal("10.00"),
                                                  "dealer:B/transfer_price": Decimal("-10.00")}
    from marketplace.errors import Conflict

    with pytest.raises(Conflict):
        await reverse(original)
    with pytest.raises(Conflict):
        await reverse(reversal)


async def test_a_new_rules_version_applies_from_its_date_and_is_audited():
    before = await rules_at()
    await new_version({"referral_pct": "5", "pickup_fee": "0.90", "hub_pct": "6", "platform_fee_pct": "3",
                       "transfer_handling_fee": "2.50"}, "user:boss@network.example")
    now = await rules_at()
    assert (now.version, now.transfer_handling_fee, now.pickup_fee) == (2, Decimal("2.50"), Decimal("0.90"))
    assert (await rules_at(datetime(2020, 1, 1, tzinfo=timezone.utc))).version == before.version
    from marketplace.settlement.rules import history

    latest = (await history())[0]
    assert latest["created_by"] == "user:boss@network.example"
    assert latest["changes"] == {"pickup_fee": {"from": "0.80", "to": "0.90"},
                                 "transfer_handling_fee": {"from": "2.00", "to": "2.50"}}


def test_netting_settles_every_balance_with_at_most_n_minus_1_payments():
    balances = {"a": Decimal("50"), "b": Decimal("-20"), "c": Decimal("-45.5"), "d": Decimal("15.5"), "e": Decimal("0")}
    payments = net(balances)
    assert len(payments) <= 3
    settled = dict.fromkeys(balances, Decimal(0))
    for p in payments:
        settled[p.payer] += p.amount
        settled[p.payee] -= p.amount
    assert all(settled[k] + balances[k] == 0 for k in balances)


async def _month_of_transfers():
    await book(EntryKind.transfer, "transfer:1", [
        Line("dealer:MI", "transfer_price", Decimal("-30.00")), Line("dealer:MZ", "transfer_price", Decimal("30.00")),
        Line("dealer:MI", "handling_fee", Decimal("-2.00")), Line("network", "handling_fee", Decimal("2.00"))], at=NOV)
    await book(EntryKind.transfer, "transfer:2", [
        Line("dealer:MZ", "transfer_price", Decimal("-12.50")), Line("dealer:BG", "transfer_price", Decimal("12.50")),
        Line("dealer:MZ", "handling_fee", Decimal("-2.00")), Line("network", "handling_fee", Decimal("2.00"))], at=NOV)


async def test_settlement_over_the_api_is_idempotent_then_locked_and_later_transactions_go_to_the_next_month(client):
    await _month_of_transfers()
    key = await make_key(Role.network_manager)
    auth = {"Authorization": f"Bearer {key}"}
    first = await client.post("/api/v1/settlements", json={"period": "2026-09"}, headers=auth)
    assert first.status_code == 200
    body = first.json()
    statements = {s["account"]: s for s in body["statements"]}
    assert statements["dealer:MZ"]["closing"] == "15.50" and statements["dealer:MZ"]["opening"] == "0.00"
    assert statements["dealer:MZ"]["totals"] == {"handling_fee": "-2.00", "transfer_price": "17.50"}
    # Central clearing: MI is collected from, MZ and BG are paid, the network keeps its fees.
    assert {(p["payer"], p["payee"], p["amount"], p["method"]) for p in body["payments"]} == {
        ("dealer:MI", "network", "32.00", "direct_debit"), ("network", "dealer:MZ", "15.50", "credit_transfer"),
        ("network", "dealer:BG", "12.50", "credit_transfer")}
    again = await client.post("/api/v1/settlements", json={"period": "2026-09"}, headers=auth)
    assert {k: again.json()[k] for k in ("statements", "payments")} == {k: body[k] for k in ("statements", "payments")}

    assert (await client.post("/api/v1/settlements/2026-09/approve", headers=auth)).json()["status"] == "approved"
    locked = await client.post("/api/v1/settlements", json={"period": "2026-09"}, headers=auth)
    assert locked.status_code == 409 and locked.json()["status"] == "approved"
    late = await book(EntryKind.transfer, "transfer:3", [
        Line("dealer:BG", "transfer_price", Decimal("-1.00")), Line("dealer:MI", "transfer_price", Decimal("1.00"))],
        at=NOV)
    entry = await LedgerEntry.select(LedgerEntry.period, LedgerEntry.adjustment).where(LedgerEntry.id == late).first()
    assert entry == {"period": "2026-10", "adjustment": True}
    december = (await client.post("/api/v1/settlements", json={"period": "2026-10"}, headers=auth)).json()
    mi = next(s for s in december["statements"] if s["account"] == "dealer:MI")
    assert mi["opening"] == "-32.00" and mi["closing"] == "-31.00"

    assert (await client.post("/api/v1/settlements/2026-09/export", headers=auth)).json()["status"] == "exported"
    csv = await client.get("/api/v1/settlements/2026-09/payments.csv", headers=auth)
    assert csv.status_code == 200 and csv.text.lstrip("\ufeff").startswith("Pagatore;")
    statement = await client.get("/api/v1/settlements/2026-09/statements/dealer:MZ", headers=auth)
    assert "transfer:2" in statement.text and "Saldo finale;15,50" in statement.text


async def test_dealers_see_only_their_own_statement_and_cannot_run_settlements(client):
    await build_network()
    await _month_of_transfers()
    await compute("2026-09")
    key = await key_of("MZ")
    auth = {"Authorization": f"Bearer {key}"}
    mine = (await client.get("/api/v1/settlements/2026-09", headers=auth)).json()
    assert [s["account"] for s in mine["statements"]] == ["dealer:MZ"]
    assert all("dealer:MZ" in (p["payer"], p["payee"]) for p in mine["payments"])
    assert (await client.post("/api/v1/settlements", json={"period": "2026-09"}, headers=auth)).status_code == 403
    assert (await client.get("/api/v1/settlements/2026-09/statements/dealer:MI", headers=auth)).status_code == 404


@pytest.mark.parametrize("period", ["2026-13", "26-11", "november"])
async def test_a_bad_period_is_422(client, period):
    key = await make_key(Role.network_manager)
    response = await client.post("/api/v1/settlements", json={"period": period}, headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 422 and response.json()["field"] == "period"


async def test_manager_pages_run_approve_and_show_a_printable_statement(manager):
    await _month_of_transfers()
    token = await csrf_token(manager, "/settlements")
    run = await manager.post("/settlements", data={"_csrf_token": token, "period": "2026-09"})
    assert run.status_code == 303 and run.headers["location"] == "/settlements/2026-09"
    detail = await manager.get("/settlements/2026-09")
    assert "dealer:MZ" in detail.text and "Approva e blocca" in detail.text
    assert (await manager.post("/settlements/2026-09/approve", data={"_csrf_token": token})).status_code == 303
    statement = await manager.get("/settlements/2026-09/statements/dealer:MZ")
    assert statement.status_code == 200 and "15,50" in statement.text
    csv = await manager.get("/settlements/2026-09/statements/dealer:MZ/csv")
    assert csv.status_code == 200 and "Saldo finale;15,50" in csv.text
    payments = await manager.get("/settlements/2026-09/payments-csv")
    assert payments.text.lstrip("\ufeff").startswith("Pagatore;")
    bad = await manager.post("/settlements", data={"_csrf_token": token, "period": "2026-13"})
    assert bad.status_code == 422 and "YYYY-MM" in bad.text


async def test_cli_settle(client):
    await _month_of_transfers()
    from tests.test_cli import marketplace

    result = marketplace("settle", "--period", "2026-09", "--approve")
    assert result.returncode == 0, result.stderr
    assert "settlement 2026-09: approved, 4 statements" in result.stdout


async def test_reversal_over_the_api_and_a_dealers_statements_page(client, app):
    await build_network()
    await _month_of_transfers()
    await compute("2026-09")
    key = await make_key(Role.network_manager)
    entry = (await LedgerEntry.select(LedgerEntry.id).where(LedgerEntry.source == "transfer:1").first())["id"]
    reversed_ = await client.post(f"/api/v1/ledger/{entry}/reverse", json={"reason": "wrong dealer"},
                                  headers={"Authorization": f"Bearer {key}"})
    assert reversed_.status_code == 201 and reversed_.json()["reverses"] == entry
    again = await client.post(f"/api/v1/ledger/{entry}/reverse", headers={"Authorization": f"Bearer {key}"})
    assert again.status_code == 409
    dealer_key = await key_of("MZ")
    assert (await client.post(f"/api/v1/ledger/{entry}/reverse",
                              headers={"Authorization": f"Bearer {dealer_key}"})).status_code == 403

    from tests.conftest import make_user, sign_in

    await make_user("banco@mz.example", Role.dealer_staff, "MZ")
    await sign_in(client, "banco@mz.example")
    mine = await client.get("/statements")
    assert "2026-09" in mine.text and "/settlements/2026-09/statements/dealer:MZ" in mine.text
    own = await client.get("/settlements/2026-09/statements/dealer:MZ")
    assert own.status_code == 200
    other = await client.get("/settlements/2026-09/statements/dealer:MI")
    assert other.status_code == 404


async def test_percentages_adding_up_to_more_than_the_order_total_are_refused(manager):
    before = await rules_at()
    form = {"referral_pct": "40", "pickup_fee": "0.80", "hub_pct": "50", "platform_fee_pct": "20",
            "transfer_handling_fee": "2.00"}
    from marketplace.errors import Invalid

    with pytest.raises(Invalid) as refused:
        await new_version(form, "user:boss@network.example")
    assert refused.value.field == "platform_fee_pct" and "110" in refused.value.message
    from tests.conftest import csrf_token

    page = await manager.post("/network/commissions", data={**form, "_csrf_token": await csrf_token(manager, "/")})
    assert page.status_code == 422 and "100%" in page.text
    assert (await rules_at()).version == before.version
    await new_version({**form, "platform_fee_pct": "10"}, "user:boss@network.example")  # exactly 100%: allowed
    assert (await rules_at()).version == before.version + 1
