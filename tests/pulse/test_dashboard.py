"""The manager's home is the network dashboard: figures, charts (inline SVG, no script), the map,
the dealers' table sorted on the server and its CSV; a dealer's scorecard page and who may see it."""

from __future__ import annotations

from marketplace.accounts.tables import Role
from marketplace.pulse.rollup import refresh
from tests.conftest import make_user, sign_in
from tests.pulse.example import build_month


async def test_the_managers_home_is_the_dashboard_with_charts_map_and_sortable_table(manager):
    await build_month()
    await refresh("2026-10")
    home = await manager.get("/", params={"period": "2026-10", "sort": "fill_rate", "order": "desc"})
    assert home.status_code == 200, home.text
    text = home.text
    assert "Il polso della rete" in text and "10/2026" in text
    assert text.count('class="pygal-chart pulse-chart"') >= 3 and "<script" not in text.split("</header>")[-1]
    assert 'class="territory-map"' in text
    # Sorted on the server by fill rate, best first: D001 (40%) before the dealers with none.
    table = text.split('class="pulse-table"')[1]
    assert table.index(">D001<") < table.index(">D002<")
    assert 'href="/pulse/dealers/D001?period=2026-10"' in table
    # No dealer's costs in the table: its aged stock shows as a change since joining, not a value.
    assert "180,00" not in table and "-40,0%" in table
    csv = await manager.get("/pulse/dealers.csv", params={"period": "2026-10", "sort": "code"})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("code;name;city;province;time_saved_minutes") and lines[1].startswith("D001;")
    bad = await manager.get("/pulse", params={"sort": "nope"})
    assert bad.status_code == 422 and "fill_rate" in bad.text  # the error lists the figures to sort by


async def test_a_dealer_sees_its_own_scorecard_and_not_anothers(client):
    await build_month()
    await make_user("admin@d001.example", Role.dealer_admin, "D001")
    await sign_in(client, "admin@d001.example")
    own = await client.get("/pulse/dealers/D001", params={"period": "2026-10"})
    assert own.status_code == 200, own.text
    text = " ".join(own.text.split())
    assert "Scheda" in text and "17 min" in text and "180,00" in text  # its own aged stock at cost
    assert text.count('class="pygal-chart pulse-chart"') >= 3
    other = await client.get("/pulse/dealers/D002", params={"period": "2026-10"})
    assert other.status_code == 403
    assert (await client.get("/pulse")).status_code == 403


async def test_the_dashboard_of_a_region_and_online_orders_by_territory(manager):
    await build_month()
    lombardy = await manager.get("/pulse", params={"period": "2026-10", "region": "Lombardia"})
    assert lombardy.status_code == 200, lombardy.text
    text = " ".join(lombardy.text.split())
    assert "Il polso della rete · Lombardia · 10/2026" in text
    assert "Ordini online per territorio" in text and "D001 · Dealer D001</td><td>1</td>" in text  # O1, in D001's
    assert text.count('href="/pulse/dealers/D00') == 4  # Milano, Bergamo, Brescia, Monza
    lazio = await manager.get("/pulse", params={"period": "2026-10", "region": "Lazio"})
    assert lazio.status_code == 200 and 'href="/pulse/dealers/D00' not in lazio.text
    assert (await manager.get("/pulse", params={"region": "Atlantide"})).status_code == 404
