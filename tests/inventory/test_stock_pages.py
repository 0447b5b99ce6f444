"""The dealer's stock pages, the manager's freshness view and settings, and the stock CLI."""

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from marketplace.inventory.catalog import import_catalog
from marketplace.inventory.tables import StockFeed, StockItem
from marketplace.network.rules import get_rules
from marketplace.network.tables import Dealer
from tests.conftest import csrf_token, make_dealer
from tests.test_cli import marketplace


@pytest.fixture(autouse=True)
async def catalog():
    await import_catalog(b"part_number,description,list_price\nP-001,Disco freno,10.00\nP-002,Filtro olio,20.00\n"
                         b"P-003,Pompa acqua,30.00\n")


async def _upload(client, body: bytes, mode="full"):
    token = await csrf_token(client, "/stock/upload")
    return await client.post("/stock/upload", data={"_csrf_token": token, "mode": mode},
                             files={"file": ("export.csv", body, "text/csv")})


async def test_an_admin_uploads_a_file_and_sees_the_report_and_the_stock(dealer_admin):
    response = await _upload(dealer_admin, b"codice;quantita;costo;ultimo movimento\nP-001;4;5,00;2020-01-01\n"
                                    b"P-002;2;10,00;\n")
    assert response.status_code == 200
    assert "Applicate: 2 righe su 2." in response.text
    page = await dealer_admin.get("/stock")
    assert "P-001" in page.text and "Disco freno" in page.text
    assert "Oltre 12 mesi senza movimenti" in page.text and "20,00" in page.text  # 4 x 5.00 aged at cost
    assert "/stock/feeds/1" in page.text
    feed = await dealer_admin.get("/stock/feeds/1")
    assert feed.status_code == 200 and "Applicate: 2 righe su 2." in feed.text


async def test_upload_report_lists_rejects_and_a_refused_full_feed(dealer_admin):
    response = await _upload(dealer_admin, b"part_number,quantity\nP-001,1\nP-002,x\n")
    assert response.status_code == 422
    assert "Nessuna modifica applicata." in response.text and "quantity must be a whole number" in response.text
    assert await StockItem.count() == 0
    empty = await _upload(dealer_admin, b"")
    assert empty.status_code == 422 and "invio è vuoto" in empty.text


async def test_my_stock_search_and_empty_state(dealer_admin):
    assert "Nessuno stock pubblicato" in (await dealer_admin.get("/stock")).text
    await _upload(dealer_admin, b"part_number,quantity\nP-001,1\nP-002,1\n")
    by_number = await dealer_admin.get("/stock?q=p 001")
    assert "P-001" in by_number.text and "P-002" not in by_number.text
    by_words = await dealer_admin.get("/stock?q=filtro")
    assert "P-002" in by_words.text and "P-001" not in by_words.text


async def test_a_dealer_sees_only_its_own_stock_and_feeds(clerk):
    other = await make_dealer("D002", "00184")
    from marketplace.inventory.feeds import apply_feed
    from marketplace.inventory.tables import FeedMode, FeedSource

    report = await apply_feed(other["id"], b"part_number,quantity,unit_cost\nP-003,9,99.00\n",
                              mode=FeedMode.full, source=FeedSource.cli)
    page = await clerk.get("/stock")
    assert "P-003" not in page.text and "99,00" not in page.text
    assert (await clerk.get(f"/stock/feeds/{report.feed_id}")).status_code == 404


async def test_managers_have_no_my_stock_page(manager):
    assert (await manager.get("/stock")).status_code == 403


async def test_manager_sees_stale_dealers_and_edits_the_network_settings(manager):
    await make_dealer("D001", "20121")
    await make_dealer("D002", "00184")
    await Dealer.update({Dealer.last_feed_at: datetime.now(timezone.utc) - timedelta(hours=30)}).where(
        Dealer.code == "D001")
    page = await manager.get("/network/dealers")
    assert page.text.count('class="tag stale"') == 1  # D002 never published; D001 is 30 h old

    token = await csrf_token(manager, "/network/settings")
    bad = await manager.post("/network/settings", data={"_csrf_token": token, "stale_feed_hours": "0",
                                                        "transfer_discount_pct": "20", "full_feed_reject_limit_pct": "5",
                                                        "transfer_sla_hours": "4"})
    assert bad.status_code == 422 and "between 1 hour and 90 days" in bad.text
    ok = await manager.post("/network/settings", data={"_csrf_token": token, "stale_feed_hours": "24",
                                                       "transfer_discount_pct": "25,5", "full_feed_reject_limit_pct": "10",
                                                       "transfer_sla_hours": "8", "online_discount_pct": "10",
                                                       "transfer_days": "1"})
    assert ok.status_code == 303
    rules = await get_rules()
    assert rules.stale_feed_hours == 24 and rules.transfer_discount_pct == Decimal("25.50")
    assert rules.transfer_sla_hours == 8 and rules.online_discount_pct == Decimal("10.00") and rules.transfer_days == 1
    assert (await manager.get("/network/dealers")).text.count('class="tag stale"') == 2


async def test_stock_import_cli(tmp_path):
    await make_dealer("D001", "20121")
    feed = tmp_path / "export.csv"
    feed.write_text("part_number,quantity\nP-001,3\nNOPE,1\n")
    result = marketplace("stock", "import", "--dealer", "D001", "--mode", "delta", str(feed))
    assert result.returncode == 0, result.stderr
    assert "lines read 2, applied 1, rejected 1" in result.stdout and "line 3: NOPE: unknown part number" in result.stdout
    assert (await StockFeed.select(StockFeed.source).first())["source"] == "cli"
    refused = marketplace("stock", "import", "--dealer", "D001", "--mode", "full", str(feed))
    assert refused.returncode == 1 and "nothing applied" in refused.stderr
