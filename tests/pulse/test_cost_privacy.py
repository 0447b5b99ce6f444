"""No dealer's unit costs to anyone else: not to its zone agent (acting for it or reading its
scorecard), not through a region too small to hide each dealer's share (docs/kpis.md); region names
as people type them; "active" defined once (pulse's last_active_at, used by the agents' page)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from html import unescape

from marketplace.accounts.api_keys import create_api_key
from marketplace.accounts.tables import Role
from marketplace.agents.coaching import dealer_cards
from marketplace.inventory.tables import Part, StockItem
from marketplace.matching.tables import SearchLine
from marketplace.pulse.kpis import SMALL_REGION_DEALERS, last_active_at
from marketplace.settlement.periods import period_of
from tests.agents.helpers import make_agent, signed_in_agent
from tests.conftest import csrf_token, make_dealer, make_key, make_user, sign_in
from tests.pulse.test_scorecard import this_month_of_d001

AGENT = "agente@network.example"
MOLISE = (("M001", "86100", "120.00"), ("M002", "86170", "80.00"), ("M003", "86039", "40.00"), ("M004", "86079", "10.00"))


async def _aged(dealer_id: int, part_id: int, unit_cost: str) -> None:
    await StockItem.insert(StockItem(dealer=dealer_id, part=part_id, on_hand=1, unit_cost=Decimal(unit_cost),
                                     transfer_price=Decimal(unit_cost), last_movement_date=date(2020, 1, 1)))


async def test_a_zone_agent_reads_its_dealers_scorecard_without_costs_and_no_other(client):
    await this_month_of_d001()  # D001: 4 aged pieces at 25.00, 100,00 at cost
    agent_id = await signed_in_agent(client, AGENT, ["D001"])
    period = period_of(datetime.now(timezone.utc))
    own = await client.get("/pulse/dealers/D001")
    assert own.status_code == 200, own.text
    text = " ".join(own.text.split())
    assert "Scheda" in text and "100,00" not in text and "al costo" not in text
    other = await client.get("/pulse/dealers/D002")
    assert other.status_code == 403 and "a dealer sees only" not in other.text
    # The agent's page links each of its dealers to the scorecard.
    mine = await client.get(f"/agents/{agent_id}")
    assert mine.status_code == 200 and 'href="/pulse/dealers/D001"' in mine.text

    key = (await create_api_key(role=Role.zone_agent, dealer_id=None, user_id=agent_id)).key
    headers = {"Authorization": f"Bearer {key}"}
    read = await client.get("/api/v1/kpis", params={"period": period, "dealer": "D001"}, headers=headers)
    assert read.status_code == 200, read.text
    assert read.json()["scope"] == "dealer:D001" and read.json()["aged_stock_value"] is None
    assert read.json()["aged_stock_sold_value"] is None and read.json()["requests_completed"] == 1
    refused = await client.get("/api/v1/kpis", params={"period": period, "dealer": "D002"}, headers=headers)
    assert refused.status_code == 403 and refused.json()["field"] == "dealer"
    assert "zone agent" in refused.text and "a dealer sees only" not in refused.text
    network = await client.get("/api/v1/kpis", params={"period": period}, headers=headers)
    assert network.status_code == 403
    # Acting for D001 (X-Act-For): the dealer's figures, never its costs.
    acting = await client.get("/api/v1/kpis", params={"period": period}, headers={**headers, "X-Act-For": "D001"})
    assert acting.status_code == 200, acting.text
    assert acting.json()["aged_stock_value"] is None and acting.json()["aged_stock_sold_value"] is None


async def test_the_dealer_still_sees_its_own_costs(client):
    await this_month_of_d001()
    from marketplace.network.tables import Dealer

    d001 = (await Dealer.select(Dealer.id).where(Dealer.code == "D001").first())["id"]
    key = await make_key(Role.dealer_admin, d001)
    read = await client.get("/api/v1/kpis", params={"period": period_of(datetime.now(timezone.utc))},
                            headers={"Authorization": f"Bearer {key}"})
    assert read.status_code == 200 and read.json()["aged_stock_value"] == "100.00"


async def test_an_agent_acting_for_a_dealer_sees_no_cost_on_its_stock_page(client):
    await this_month_of_d001()
    await signed_in_agent(client, AGENT, ["D001"])
    token = await csrf_token(client, "/")
    assert (await client.post("/agents/act/D001", data={"_csrf_token": token})).status_code == 303
    page = await client.get("/stock")
    assert page.status_code == 200, page.text
    text = " ".join(unescape(page.text).split())
    assert "Stai lavorando come" in text and "4 pezzi" in text
    assert "al costo" not in text and "100,00" not in text


async def test_a_small_region_hides_costs_until_it_has_five_dealers(client):
    """docs/kpis.md: Molise with four dealers (120.00 + 80.00 + 40.00 + 10.00 aged) answers null; a
    fifth dealer, and it answers the sum, 250.00."""
    part = (await Part.insert(Part(part_number="1K0 615 301 AA", normalized="1K0615301AA",
                                   list_price=Decimal("100.00"))).returning(Part.id))[0]["id"]
    for code, postal, cost in MOLISE:
        await _aged((await make_dealer(code, postal))["id"], part, cost)
    key = await make_key(Role.network_manager)
    headers = {"Authorization": f"Bearer {key}"}
    period = period_of(datetime.now(timezone.utc))
    small = await client.get("/api/v1/kpis", params={"period": period, "region": "Molise"}, headers=headers)
    assert small.status_code == 200, small.text
    assert small.json()["aged_stock_value"] is None and small.json()["aged_stock_sold_value"] is None
    await make_user("boss@network.example", Role.network_manager)
    await sign_in(client, "boss@network.example")
    page = await client.get("/pulse", params={"region": "Molise"})
    assert page.status_code == 200 and "giacenza obsoleta al costo" not in page.text
    assert "250,00" not in page.text

    assert SMALL_REGION_DEALERS == 5
    await make_dealer("M005", "86025")
    large = await client.get("/api/v1/kpis", params={"period": period, "region": "molise"}, headers=headers)
    assert large.status_code == 200 and large.json()["aged_stock_value"] == "250.00"
    page = await client.get("/pulse", params={"region": "Molise"})
    assert "giacenza obsoleta al costo" in page.text and "250,00" in page.text
    # The network's totals are the network's.
    network = await client.get("/api/v1/kpis", params={"period": period}, headers=headers)
    assert network.json()["aged_stock_value"] == "250.00"


async def test_region_names_as_typed_apostrophes_and_either_language(client):
    await make_dealer("A001", "11100")
    headers = {"Authorization": f"Bearer {await make_key(Role.network_manager)}"}
    period = period_of(datetime.now(timezone.utc))
    for name in ("Valle d'Aosta", "valle d’aosta", "Vallée d'Aoste", "Valle d'Aosta/Vallée d'Aoste", "VALLE D AOSTA"):
        found = await client.get("/api/v1/kpis", params={"period": period, "region": name}, headers=headers)
        assert found.status_code == 200, (name, found.text)
        assert found.json()["scope"] == "region:Valle d'Aosta/Vallée d'Aoste"
    for name in ("Friuli Venezia Giulia", "Trentino-Alto Adige", "Südtirol", "emilia romagna"):
        assert (await client.get("/api/v1/kpis", params={"period": period, "region": name},
                                 headers=headers)).status_code == 200, name
    assert (await client.get("/api/v1/kpis", params={"period": period, "region": "Valle"},
                             headers=headers)).status_code == 404
    await make_user("boss@network.example", Role.network_manager)
    await sign_in(client, "boss@network.example")
    assert (await client.get("/pulse", params={"region": "Valle d'Aosta"})).status_code == 200


async def test_last_active_is_pulses_and_the_agents_page_uses_it():
    """A dealer whose only activity is a search line (what pulse counts) is active on the agent's page."""
    now = datetime.now(timezone.utc)
    d001 = (await make_dealer("D001", "20121"))["id"]
    d002 = (await make_dealer("D002", "24121"))["id"]
    clerk = await make_user("clerk@d001.example", Role.dealer_staff, "D001")
    part = (await Part.insert(Part(part_number="1K0 615 301 AA", normalized="1K0615301AA",
                                   list_price=Decimal("100.00"))).returning(Part.id))[0]["id"]
    searched = now - timedelta(days=3)
    await SearchLine.insert(SearchLine(dealer=d001, user=clerk.id, number="1K0615301AA", part=part, parts=[part],
                                       quantity=1, own_available=0, found=True, at=searched))
    assert await last_active_at([d001, d002]) == {d001: searched, d002: None}
    agent_id = await make_agent(AGENT, ["D001", "D002"])
    cards = {c.code: c for c in await dealer_cards(agent_id, period_of(now), now)}
    assert cards["D001"].last_active_at == searched and not cards["D001"].inactive
    assert cards["D002"].last_active_at is None and cards["D002"].inactive
