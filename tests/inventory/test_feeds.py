"""Publishing stock: full and delta feeds, every bad line, dialects, atomicity, authorization."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from marketplace.accounts.tables import Role
from marketplace.inventory.catalog import import_catalog
from marketplace.inventory.tables import StockFeed, StockItem
from marketplace.network.tables import Dealer
from tests.conftest import make_dealer, make_key

CATALOG = "part_number,list_price\n" + "".join(f"P-{n:03},{10 + n}.00\n" for n in range(1, 41))


@pytest.fixture(autouse=True)
async def catalog():
    await import_catalog(CATALOG.encode())


@pytest.fixture
async def dealer():
    return await make_dealer("D001", "20121")


@pytest.fixture
async def key(dealer):
    return await make_key(Role.dealer_admin, dealer["id"])


async def publish(client, key, body, mode="full", content_type="text/csv", dealer=None, confirm_shrink=False):
    data = body.encode() if isinstance(body, str) else body
    query = f"mode={mode}" + (f"&dealer={dealer}" if dealer else "") + ("&confirm_shrink=true" if confirm_shrink else "")
    return await client.put(f"/api/v1/stock?{query}", content=data,
                            headers={"Authorization": f"Bearer {key}", "Content-Type": content_type})


async def pool(dealer_code="D001") -> dict[str, tuple]:
    rows = await StockItem.select(
        StockItem.part.part_number, StockItem.on_hand, StockItem.reserved, StockItem.transfer_price,
        StockItem.unit_cost, StockItem.last_movement_date, StockItem.shared,
    ).where(StockItem.dealer.code == dealer_code)
    return {r["part.part_number"]: tuple(v for k, v in r.items() if k != "part.part_number") for r in rows}


def csv_of(rows: dict[str, int], header="part_number,quantity") -> str:
    return header + "\n" + "".join(f"{part},{qty}\n" for part, qty in rows.items())


async def test_full_feed_is_a_snapshot_and_delta_changes_only_its_rows(client, key):
    response = await publish(client, key, csv_of({f"P-{n:03}": n for n in range(1, 21)}))
    assert response.status_code == 200
    report = response.json()
    assert report["applied"] and report["lines_read"] == 20 and report["lines_applied"] == 20
    assert report["rejected"] == [] and report["conflicts"] == [] and report["mode"] == "full"
    assert (await pool())["P-005"][0] == 5

    await publish(client, key, csv_of({"P-001": 7, "P-021": 2}), mode="delta")
    stock = await pool()
    assert stock["P-001"][0] == 7 and stock["P-021"][0] == 2 and stock["P-005"][0] == 5

    await publish(client, key, csv_of({f"P-{n:03}": 1 for n in range(1, 20)}))  # P-020 and P-021 left out
    stock = await pool()
    assert stock["P-020"][0] == 0 and stock["P-021"][0] == 0 and stock["P-019"][0] == 1
    assert (await Dealer.select(Dealer.last_feed_at).first())["last_feed_at"] is not None


async def test_transfer_price_falls_back_to_the_network_rule_and_costs_stay_private_per_row(client, key):
    await publish(client, key, "part_number,quantity,transfer_price,unit_cost\nP-001,1,,7.00\nP-002,1,9.99,\n")
    stock = await pool()
    assert stock["P-001"][2] == Decimal("8.80")  # list 11.00 minus the default 20%
    assert stock["P-001"][3] == Decimal("7.00")
    assert stock["P-002"][2] == Decimal("9.99") and stock["P-002"][3] is None


async def test_a_changed_quantity_without_a_date_counts_as_a_movement_today(client, key):
    await publish(client, key, "part_number,quantity,last_movement_date\nP-001,5,2024-01-31\nP-002,5,31/01/2024\n")
    assert (await pool())["P-001"][4] == date(2024, 1, 31) == (await pool())["P-002"][4]
    await publish(client, key, "part_number,quantity\nP-001,4\nP-002,5\n")
    stock = await pool()
    assert stock["P-001"][4] == date.today() and stock["P-002"][4] == date(2024, 1, 31)


async def test_reservations_survive_a_full_feed_and_conflicts_are_reported(client, key):
    await publish(client, key, csv_of({"P-001": 5, "P-002": 5}))
    await StockItem.update({StockItem.reserved: 3}, force=True)
    response = await publish(client, key, csv_of({"P-001": 2, "P-002": 8}))
    assert response.status_code == 200
    assert response.json()["conflicts"] == [{"part_number": "P-001", "on_hand": 2, "reserved": 3}]
    stock = await pool()
    assert stock["P-001"][:2] == (2, 3) and stock["P-002"][:2] == (8, 3)
    listed = await client.get("/api/v1/stock?part_number=p001", headers={"Authorization": f"Bearer {key}"})
    assert listed.json()["items"][0]["available"] == 0

    response = await publish(client, key, csv_of({"P-002": 8}), confirm_shrink=True)  # P-001 absent: zero, still reserved
    assert response.json()["conflicts"] == [{"part_number": "P-001", "on_hand": 0, "reserved": 3}]
    assert (await pool())["P-001"][:2] == (0, 3)


async def test_every_bad_line_kind_is_rejected_with_its_line_and_reason(client, key):
    body = (
        "part_number,quantity,transfer_price,unit_cost,last_movement_date,shared\n"
        "P-001,1,,,,\n"            # 2 fine
        "NOPE-1,1,,,,\n"           # 3 unknown
        "P-002,-1,,,,\n"           # 4 negative
        "P-003,1.5,,,,\n"          # 5 not whole
        "P-004,,,,,\n"             # 6 missing
        "P-005,1,abc,,,\n"         # 7 bad price
        "P-006,1,,-2,,\n"          # 8 bad cost
        "P-007,1,,,31/02/2024,\n"  # 9 bad date
        "P-008,1,,,,maybe\n"       # 10 bad flag
        "P-009,1,,,,\n"            # 11 twice
        "p 009,2,,,,\n"            # 12 twice
        ",3,,,,\n"                 # 13 no number
    )
    response = await publish(client, key, body, mode="delta")
    assert response.status_code == 200
    reasons = {r["line"]: r["reason"] for r in response.json()["rejected"]}
    assert sorted(reasons) == list(range(3, 14))
    assert reasons[3] == "unknown part number"
    assert reasons[4] == "quantity is negative" and "whole number" in reasons[5] and reasons[6] == "quantity is missing"
    assert reasons[7].startswith("transfer_price") and reasons[8].startswith("unit_cost")
    assert "not a date" in reasons[9] and "shared" in reasons[10]
    assert reasons[11] == "part listed twice: also on line 12" and reasons[12] == "part listed twice: also on line 11"
    assert reasons[13] == "part number is missing"
    assert list(await pool()) == ["P-001"]


async def test_a_full_feed_over_the_reject_threshold_applies_nothing(client, key):
    await publish(client, key, csv_of({f"P-{n:03}": 5 for n in range(1, 41)}))
    before = await pool()
    truncated = csv_of({f"P-{n:03}": 1 for n in range(1, 21)}) + "P-021,garbage\nP-022,\nNOPE,1\n"
    response = await publish(client, key, truncated)
    assert response.status_code == 422
    report = response.json()
    assert not report["applied"] and report["lines_applied"] == 0 and len(report["rejected"]) == 3
    assert "more than the 5.00%" in report["error"]
    assert await pool() == before
    feed = await StockFeed.select().order_by(StockFeed.id, ascending=False).first()
    assert feed["applied"] is False and feed["lines_rejected"] == 3

    # one bad line in 40 (2.5%) is under the threshold: applied, and the bad line's part keeps its stock
    response = await publish(client, key, csv_of({f"P-{n:03}": 2 for n in range(1, 40)}) + "P-040,oops\n")
    assert response.status_code == 200 and response.json()["lines_applied"] == 39
    assert (await pool())["P-040"][0] == 5 and (await pool())["P-001"][0] == 2


async def test_an_empty_full_feed_never_zeroes_the_warehouse(client, key):
    await publish(client, key, csv_of({"P-001": 5}))
    response = await publish(client, key, "part_number,quantity\n")
    assert response.status_code == 422 and "zero the whole warehouse" in response.json()["error"]
    assert (await pool())["P-001"][0] == 5


async def test_csv_dialects_italian_headers_semicolons_bom_decimal_comma_and_windows_1252(client, key):
    body = "\ufeffCodice;Quantità;Prezzo;Costo;Ultimo movimento;Condiviso\nP-001;3;12,50;7,25;15.03.2025;sì\nP-002;1;1.234,50;;;no\n"
    assert (await publish(client, key, body.encode("utf-8"), mode="delta")).status_code == 200
    body = "codice;quantità;prezzo\nP-003;4;9,90\n".encode("cp1252")
    assert (await publish(client, key, body, mode="delta")).status_code == 200
    stock = await pool()
    assert stock["P-001"] == (3, 0, Decimal("12.50"), Decimal("7.25"), date(2025, 3, 15), True)
    assert stock["P-002"][2] == Decimal("1234.50") and stock["P-002"][5] is False
    assert stock["P-003"][:3] == (4, 0, Decimal("9.90"))


async def test_json_feed(client, key):
    body = ('{"items": [{"part_number": "P-001", "quantity": 2, "transfer_price": "10.00", "unit_cost": 6.5,'
            ' "last_movement_date": "2025-05-01", "shared": false}, {"part_number": "P-002", "quantity": 1.5}, 7]}')
    response = await publish(client, key, body, mode="delta", content_type="application/json")
    assert response.status_code == 200
    assert [(r["line"], r["reason"]) for r in response.json()["rejected"]] == [
        (2, "quantity must be a whole number, not '1.5'"), (3, "an item must be an object")]
    assert (await pool())["P-001"] == (2, 0, Decimal("10.00"), Decimal("6.50"), date(2025, 5, 1), False)


@pytest.mark.parametrize("body, reason", [
    (b"", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file"),
    (b"foo,bar\n1,2\n", "no recognizable header"),
    (b'{"stock": []}', "items"),
    (b'{"items": [', "unreadable JSON"),
])
async def test_unreadable_feeds_are_refused_and_write_nothing(client, key, body, reason):
    await publish(client, key, csv_of({"P-001": 5}))
    before, feeds = await pool(), await StockFeed.count()
    response = await publish(client, key, body)
    assert response.status_code == 422
    assert reason in response.json()["detail"]
    assert await pool() == before and await StockFeed.count() == feeds


async def test_an_upload_over_the_size_limit_gets_413(client, key):
    response = await publish(client, key, b"part_number,quantity\n" + b"P-001,1\n" * (51 * 1024 * 1024 // 8))
    assert response.status_code == 413
    assert await StockItem.count() == 0


async def test_a_failing_merge_leaves_the_pool_exactly_as_it_was(client, key, monkeypatch):
    await publish(client, key, csv_of({"P-001": 5, "P-002": 5}))
    before = await pool()
    import marketplace.inventory.feeds as feeds

    monkeypatch.setattr(feeds, "_ZERO_ABSENT", "SELECT 1/0")  # dies after the upsert already ran
    with pytest.raises(Exception):
        await feeds.apply_feed((await Dealer.select(Dealer.id).first())["id"], csv_of({"P-001": 1}).encode(),
                               mode=feeds.FeedMode.full, source=feeds.FeedSource.api, confirm_shrink=True)
    assert await pool() == before


async def test_a_dealer_key_publishes_only_its_own_stock_and_reads_only_its_own(client, key):
    other = await make_dealer("D002", "00184")
    other_key = await make_key(Role.dealer_admin, other["id"])
    await publish(client, other_key, csv_of({"P-001": 9}))
    response = await publish(client, key, csv_of({"P-001": 1}), dealer="D002")
    assert response.status_code == 403 and response.json()["field"] == "dealer"
    assert (await pool("D002"))["P-001"][0] == 9
    read = await client.get("/api/v1/stock?dealer=D002", headers={"Authorization": f"Bearer {key}"})
    assert read.status_code == 403
    own = await client.get("/api/v1/stock", headers={"Authorization": f"Bearer {key}"})
    assert own.json()["total"] == 0


async def test_a_network_key_names_the_dealer(client, dealer):
    network_key = await make_key(Role.network_manager)
    missing = await publish(client, network_key, csv_of({"P-001": 1}))
    assert missing.status_code == 422 and missing.json()["field"] == "dealer"
    assert (await publish(client, network_key, csv_of({"P-001": 1}), dealer="d001")).status_code == 200
    unknown = await publish(client, network_key, csv_of({"P-001": 1}), dealer="NOPE")
    assert unknown.status_code == 404


async def test_bad_mode_and_no_key(client, key):
    assert (await publish(client, key, csv_of({"P-001": 1}), mode="sometimes")).status_code == 400
    response = await client.put("/api/v1/stock?mode=full", content=b"part_number,quantity\nP-001,1\n")
    assert response.status_code == 401
    assert await StockItem.count() == 0


async def test_every_feed_is_recorded(client, key):
    await publish(client, key, csv_of({"P-001": 1}) + "NOPE,2\n", mode="delta")
    feed = await StockFeed.select().output(load_json=True).first()
    assert (feed["mode"], feed["source"], feed["applied"]) == ("delta", "api", True)
    assert (feed["lines_read"], feed["lines_applied"], feed["lines_rejected"]) == (2, 1, 1)
    assert feed["rejected"] == [{"line": 3, "part_number": "NOPE", "reason": "unknown part number"}]
    assert feed["duration_ms"] >= 0 and feed["received_at"] is not None


async def test_feeds_older_than_90_days_are_purged(client, key):
    from datetime import datetime, timezone

    dealer_id = (await Dealer.select(Dealer.id).first())["id"]
    old = datetime.now(timezone.utc) - timedelta(days=91)
    await StockFeed.insert(StockFeed(dealer=dealer_id, mode="full", source="api", received_at=old))
    await publish(client, key, csv_of({"P-001": 1}))
    assert await StockFeed.count() == 1


async def test_feeds_are_counted_in_the_metrics_as_applied_refused_or_unreadable(client, key):
    from marketplace.metrics import FEEDS

    def count(outcome: str) -> float:
        return FEEDS.labels("api", outcome)._value.get()

    before = {outcome: count(outcome) for outcome in ("applied", "refused", "unreadable")}
    assert (await publish(client, key, csv_of({"P-001": 5}))).status_code == 200
    assert (await publish(client, key, "part_number,quantity\n")).status_code == 422  # refused: would zero it all
    assert (await publish(client, key, b"\x00\x01 not a feed", content_type="application/json")).status_code == 422
    assert {outcome: count(outcome) - before[outcome] for outcome in before} == {"applied": 1, "refused": 1,
                                                                                  "unreadable": 1}
