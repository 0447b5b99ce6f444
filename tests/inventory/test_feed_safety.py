"""A cut or shrunken full feed must not zero a warehouse; the answer stays small; clerks can't publish full."""

import gzip
import json

import pytest

from marketplace.accounts.tables import Role
from marketplace.errors import Invalid
from marketplace.inventory.tables import StockFeed, StockItem
from marketplace.network.tables import NetworkSettings
from tests.conftest import PASSWORD, csrf_token, make_key, make_user, sign_in
from tests.inventory.test_feeds import catalog, csv_of, dealer, key, pool, publish  # noqa: F401  (fixtures)

FORTY = {f"P-{n:03}": 5 for n in range(1, 41)}


@pytest.fixture
async def stocked(client, key):  # noqa: F811
    assert (await publish(client, key, csv_of(FORTY))).status_code == 200
    return await pool()


async def test_a_full_feed_zeroing_half_the_rows_applies_nothing_unless_confirmed(client, key, stocked):  # noqa: F811
    half = csv_of({f"P-{n:03}": 5 for n in range(1, 21)})
    refused = await publish(client, key, half)
    assert refused.status_code == 422
    report = refused.json()
    assert not report["applied"] and report["zeroed_rows"] == 20 and report["zeroed_units"] == 100
    assert "would zero 20 of your 40 stock rows" in report["error"]
    assert await pool() == stocked

    confirmed = await client.put("/api/v1/stock?mode=full&confirm_shrink=true", content=half.encode(),
                                 headers={"Authorization": f"Bearer {key}", "Content-Type": "text/csv"})
    assert confirmed.status_code == 200 and confirmed.json()["zeroed_rows"] == 20
    assert sum(row[0] for row in (await pool()).values()) == 100


async def test_a_feed_zeroing_less_than_the_share_applies(client, key, stocked):  # noqa: F811
    response = await publish(client, key, csv_of({f"P-{n:03}": 5 for n in range(1, 37)}))  # 4 of 40 rows: 10%
    assert response.status_code == 200 and response.json()["zeroed_rows"] == 4


async def test_the_units_share_counts_too(client, key, stocked):  # noqa: F811
    await publish(client, key, csv_of({"P-040": 1000}), mode="delta")
    response = await publish(client, key, csv_of({f"P-{n:03}": 5 for n in range(1, 40)}))  # 1 row, 1000 of 1195 units
    assert response.status_code == 422 and response.json()["zeroed_units"] == 1000
    assert (await pool())["P-040"][0] == 1000


async def test_the_share_is_a_network_setting(client, key, stocked):  # noqa: F811
    await NetworkSettings.update({NetworkSettings.full_feed_shrink_limit_pct: 60}, force=True)
    response = await publish(client, key, csv_of({f"P-{n:03}": 5 for n in range(1, 21)}))
    assert response.status_code == 200


async def test_a_count_trailer_or_header_must_match(client, key, stocked):  # noqa: F811
    rows = csv_of({f"P-{n:03}": 4 for n in range(1, 41)})
    cut = await publish(client, key, rows + "#END;323\n")
    assert cut.status_code == 422 and cut.json()["field"] == "#END" and "323" in cut.json()["detail"]
    assert await pool() == stocked
    whole = await publish(client, key, rows + "#END;40")
    assert whole.status_code == 200 and whole.json()["lines_read"] == 40 and whole.json()["rejected"] == []

    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json", "X-Feed-Lines": "3"}
    body = json.dumps({"items": [{"part_number": "P-001", "quantity": 9}]})
    mismatch = await client.put("/api/v1/stock?mode=delta", content=body, headers=headers)
    assert mismatch.status_code == 422 and mismatch.json()["field"] == "X-Feed-Lines"
    assert (await pool())["P-001"][0] == 4
    ok = await client.put("/api/v1/stock?mode=delta", content=body, headers={**headers, "X-Feed-Lines": "1"})
    assert ok.status_code == 200 and (await pool())["P-001"][0] == 9


async def test_an_upload_cut_mid_body_leaves_the_pool_unchanged(app, key, stocked):  # noqa: F811
    """The client closes the connection half way through the body: nothing applies, nothing is recorded."""
    half = csv_of({f"P-{n:03}": 1 for n in range(1, 41)}).encode()
    messages = [{"type": "http.request", "body": half[: len(half) // 2], "more_body": True},
                {"type": "http.disconnect"}]
    sent = []

    async def receive():
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    feeds_before = await StockFeed.count()
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "PUT", "scheme": "http",
             "path": "/api/v1/stock", "raw_path": b"/api/v1/stock", "query_string": b"mode=full", "root_path": "",
             "headers": [(b"authorization", f"Bearer {key}".encode()), (b"content-type", b"text/csv"),
                         (b"host", b"testserver")], "client": ("127.0.0.1", 1), "server": ("testserver", 80)}
    try:
        await app(scope, receive, send)
    except Exception:  # noqa: BLE001 - a server may give up on the request any way it likes
        pass
    assert await pool() == stocked and await StockFeed.count() == feeds_before


async def test_the_answer_holds_the_first_thousand_rejects_and_the_page_offers_all(client, key, dealer):  # noqa: F811
    garbage = "part_number,quantity\n" + "".join(f"NOPE-{n},1\n" for n in range(1500)) + "P-001,1\n"
    response = await publish(client, key, garbage, mode="delta")
    report = response.json()
    assert len(report["rejected"]) == 1000 and report["rejected_total"] == 1500
    feed = await StockFeed.select(StockFeed.id, StockFeed.rejected_csv).first()
    assert gzip.decompress(feed["rejected_csv"]).decode().count("\n") == 1501

    await make_user("admin@d001.example", Role.dealer_admin, "D001")
    await sign_in(client, "admin@d001.example", PASSWORD)
    page = await client.get(f"/stock/feeds/{feed['id']}")
    assert f"/stock/feeds/{feed['id']}/rejected.csv" in page.text
    download = await client.get(f"/stock/feeds/{feed['id']}/rejected.csv")
    assert download.status_code == 200 and download.text.count("NOPE-") == 1500


async def test_a_counter_clerk_cannot_publish_a_full_feed(client, dealer):  # noqa: F811
    staff_key = await make_key(Role.dealer_staff, dealer["id"])
    full = await publish(client, staff_key, csv_of({"P-001": 1}))
    assert full.status_code == 403 and await StockItem.count() == 0
    assert (await publish(client, staff_key, csv_of({"P-001": 1}), mode="delta")).status_code == 200

    await make_user("clerk@d001.example", Role.dealer_staff, "D001")
    await sign_in(client, "clerk@d001.example", PASSWORD)
    token = await csrf_token(client, "/stock/upload")
    page = await client.post("/stock/upload", data={"_csrf_token": token, "mode": "full"},
                             files={"file": ("stock.csv", b"part_number,quantity\nP-001,9\n", "text/csv")})
    assert page.status_code == 403 and (await pool())["P-001"][0] == 1


async def test_the_upload_page_shows_the_shrink_and_a_confirm_button(client, key, stocked):  # noqa: F811
    await make_user("admin@d001.example", Role.dealer_admin, "D001")
    await sign_in(client, "admin@d001.example", PASSWORD)
    token = await csrf_token(client, "/stock/upload")
    half = b"part_number,quantity\n" + b"".join(f"P-{n:03},5\n".encode() for n in range(1, 11))
    refused = await client.post("/stock/upload", data={"_csrf_token": token, "mode": "full"},
                                files={"file": ("stock.csv", half, "text/csv")})
    assert refused.status_code == 422 and "30" in refused.text and 'name="confirm_shrink" value="true"' in refused.text
    assert await pool() == stocked
    confirmed = await client.post("/stock/upload", data={"_csrf_token": token, "mode": "full", "confirm_shrink": "true"},
                                  files={"file": ("stock.csv", half, "text/csv")})
    assert confirmed.status_code == 200 and (await pool())["P-040"][0] == 0


async def test_a_network_key_never_sees_a_dealers_unit_cost(client, key):  # noqa: F811
    await publish(client, key, "part_number,quantity,unit_cost\nP-001,3,7.50\n", mode="delta")
    own = await client.get("/api/v1/stock", headers={"Authorization": f"Bearer {key}"})
    assert own.json()["items"][0]["unit_cost"] == "7.50"
    manager = await make_key(Role.network_manager)
    seen = await client.get("/api/v1/stock?dealer=D001", headers={"Authorization": f"Bearer {manager}"})
    assert seen.status_code == 200 and seen.json()["items"][0]["unit_cost"] is None and "7.5" not in seen.text


async def test_feeds_parse_in_a_parser_process_and_one_that_died_is_replaced():
    """The parse runs in another process (the shop keeps the interpreter); a parser killed under
    a feed (out of memory, an operator) costs that feed nothing: it is read in a thread, and the
    next feed starts a new parser."""
    import os
    import signal

    from marketplace.inventory import feed_reader

    rows = await feed_reader.read_elsewhere(b"codice;quantita\nA-1;2\n", "text/csv", None)
    assert rows.normalized == ["A1"] and feed_reader._PARSER is not None
    [pid] = list(feed_reader._PARSER._processes)
    assert pid != os.getpid()
    with pytest.raises(Invalid) as refused:  # a domain error keeps its field across the process boundary
        await feed_reader.read_elsewhere(b"codice;quantita\nA-1;2\n#END;5\n", "text/csv", None)
    assert refused.value.field == "#END"
    os.kill(pid, signal.SIGKILL)
    rows = await feed_reader.read_elsewhere(b"codice;quantita\nB-1;3\n", "text/csv", None)
    assert rows.normalized == ["B1"]  # read all the same
    rows = await feed_reader.read_elsewhere(b"codice;quantita\nC-1;4\n", "text/csv", None)
    assert rows.normalized == ["C1"] and pid not in feed_reader._PARSER._processes
