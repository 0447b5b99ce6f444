"""The demo's year of money: twelve months of transactions, settled, approved and paid but the last."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from marketplace.errors import Conflict
from marketplace.network.billing import check_iban, check_vat
from marketplace.network.tables import Dealer
from marketplace.piccolo_conf import DB
from marketplace.seed import seed_network
from marketplace.settlement.periods import ROME, period_bounds, period_of
from marketplace.settlement.sepa import CREDIT_TRANSFERS, DIRECT_DEBITS, blockers, sepa_file
from marketplace.settlement.settlements import get_settlement
from marketplace.settlement.tables import LedgerEntry, Settlement


async def test_the_demo_seeds_a_settled_year_with_valid_banking_data():
    await seed_network(dealers=25, parts=400, seed=3, rows_per_dealer=60)
    settlements = await Settlement.select(Settlement.period, Settlement.status).order_by(Settlement.period)
    assert len(settlements) == 12
    assert [s["status"] for s in settlements] == ["paid"] * 11 + ["draft"]
    this_month = period_of(datetime.now(ROME))
    assert settlements[-1]["period"] < this_month and all(s["period"] < this_month for s in settlements)
    kinds = {r["kind"]: r["n"] for r in await DB.run_ddl(
        "SELECT kind, count(*) AS n FROM ledger_entry GROUP BY kind")}
    assert kinds["transfer"] > 12 * 100 and kinds["order"] > 12 * 20 and kinds["settlement_payment"] == 11
    months = {r["period"] for r in await LedgerEntry.select(LedgerEntry.period).where(LedgerEntry.kind == "order")}
    assert len(months) == 12
    unbalanced = await DB.run_ddl("SELECT entry FROM ledger_line GROUP BY entry HAVING sum(amount) <> 0")
    assert unbalanced == []

    for row in await Dealer.select(Dealer.vat_number, Dealer.iban, Dealer.sdd_mandate_ref):
        assert check_vat(row["vat_number"]) == row["vat_number"] and check_iban(row["iban"]) == row["iban"]
        assert row["sdd_mandate_ref"]
    last_paid = await get_settlement(settlements[-2]["period"])
    assert await blockers(last_paid) == []
    # Its files are closed now that it is paid; as approved, they build from the demo's banking data.
    with pytest.raises(Conflict, match="closed"):
        await sepa_file(last_paid, CREDIT_TRANSFERS)
    assert (await sepa_file({**last_paid, "status": "approved"}, CREDIT_TRANSFERS)).startswith(b"<?xml")
    assert (await sepa_file({**last_paid, "status": "approved"}, DIRECT_DEBITS)).startswith(b"<?xml")
    # The draft opens with only what the previous month's payments left: the carried balances.
    draft = await get_settlement(settlements[-1]["period"])
    carried = {s["account"]: s["carried"] for s in last_paid["statements"]}
    opening = {s["account"]: s["opening"] + Decimal(s["totals"].get("settlement_payment", "0"))
               for s in draft["statements"]}
    assert all(opening.get(account, Decimal(0)) == amount for account, amount in carried.items())
    # Dealers joined before the year of history (13-36 months ago); only the "new" tier joined in the last weeks.
    first_month = period_bounds(settlements[0]["period"])[0]
    now = datetime.now(ROME)
    joined = await Dealer.select(Dealer.code, Dealer.tier, Dealer.created_at)
    assert any(d["tier"] == "new" for d in joined)
    for d in joined:
        if d["tier"] == "new":
            assert now - timedelta(days=90) < d["created_at"] < now, d
        else:
            assert now - timedelta(days=36 * 31) < d["created_at"] < first_month - timedelta(days=28), d
    assert len({d["created_at"] for d in joined}) > len(joined) // 2  # not one seeding moment
