"""The agent's page on the hand-built October 2026 of docs/kpis.md (tests/pulse/example.py), as
docs/agents.md works it out: the ranking, what needs attention, the week's call list."""

from __future__ import annotations

from decimal import Decimal

from marketplace.accounts.api_keys import create_api_key
from marketplace.accounts.tables import Role
from marketplace.agents.coaching import call_list, call_list_csv, dealer_cards, targets_missed_function
from marketplace.matching.tables import Transfer
from tests.agents.helpers import make_agent
from tests.conftest import make_user, sign_in
from tests.pulse.example import build_month, rome

NOW = rome(10, 31, 12)  # Saturday 31 October 2026, noon in Rome


async def _example() -> tuple[int, dict]:
    built = await build_month()
    ids = built["dealers"]
    # Two requests D004 made of D003, waiting for D003's answer: at Saturday noon, one runs out within the
    # next working hour (Monday 2 November 8-9, matching's EXPIRING_SOON_WORKING_HOURS), one later.
    for expires in (rome(11, 2, 8, 30), rome(11, 2, 10)):
        await Transfer.insert(Transfer(
            requester=ids["D004"], supplier=ids["D003"], part=built["parts"]["P6"], requested_part=built["parts"]["P6"],
            quantity=1, requested_quantity=1, unit_price=Decimal("8.00"), status="requested",
            created_at=rome(10, 31, 9), expires_at=expires, updated_at=rome(10, 31, 9)))
    agent_id = await make_agent("agente@network.example", ["D001", "D002", "D003"])
    return agent_id, built


async def test_ranking_and_what_needs_attention():
    agent_id, _ = await _example()
    cards = await dealer_cards(agent_id, "2026-10", NOW)
    assert [(c.rank, c.code) for c in cards] == [(1, "D001"), (2, "D002"), (3, "D003")]
    d001, d002, d003 = cards
    assert (d001.kpis.time_saved_minutes, d001.kpis.requests_completed) == (17, 3)
    assert (d002.kpis.time_saved_minutes, d002.kpis.requests_completed) == (0, 1)
    assert (d003.kpis.time_saved_minutes, d003.kpis.requests_completed) == (0, 0)
    # Pulse's portal share: D001 made T1-T5 (T6 cancelled) and logged one phone order, 5 / 6; D002's T7
    # was asked in September and D003 asked nothing (D004's requests to it are D004's): none.
    assert [(c.kpis.portal_requests, c.off_portal, c.share) for c in cards] == [(5, 1, 0.8333), (0, 0, None), (0, 0, None)]
    # Active within 14 days: D001 (its request of 20 Oct), D002 (its feed of 20 Oct); D003 never.
    assert [c.inactive for c in cards] == [False, False, True]
    # Stale after 48 hours without a feed: all three (D001 and D003 never published, D002 on 20 Oct).
    assert [c.stale_feed for c in cards] == [True, True, True]
    assert [len(c.expiring) for c in cards] == [0, 0, 1]
    assert targets_missed_function() is not None
    # All three are urban with October's online volume under the tier's target (docs/incentives.md).
    assert [c.targets_missed for c in cards] == [
        ["volume online 0,00\xa0€, sotto l'obiettivo di 2.000,00\xa0€: mancano 2.000,00\xa0€"],
        ["volume online 0,00\xa0€, sotto l'obiettivo di 2.000,00\xa0€: mancano 2.000,00\xa0€"],
        ["volume online 91,20\xa0€, sotto l'obiettivo di 2.000,00\xa0€: mancano 1.908,80\xa0€"],
    ]

    calls = call_list(cards)
    assert [(c.code, c.reasons) for c in calls] == [
        ("D003", ["not active for 14 days", "stock feed gone stale", "requests about to expire", "below its tier's targets"]),
        ("D001", ["stock feed gone stale", "below its tier's targets"]),
        ("D002", ["stock feed gone stale", "below its tier's targets"]),
    ]
    csv_text = call_list_csv(cards, lambda s: s)
    lines = csv_text.lstrip("\ufeff").splitlines()
    assert len(lines) == 4 and lines[1].startswith("D003;Dealer D003;")
    # A name or address a spreadsheet would run as a formula is written as text (the guard pulse's CSV uses).
    import dataclasses
    tricky = [dataclasses.replace(c, name='=HYPERLINK("http://x")', billing_email="@SUM(A1)") for c in cards]
    row = call_list_csv(tricky, lambda s: s).lstrip("\ufeff").splitlines()[1]
    assert "'=HYPERLINK" in row and ";'@SUM(A1);" in row


async def test_call_list_page_csv_and_api_for_the_agent_and_managers(client):
    agent_id, _ = await _example()
    await make_user("boss@network.example", Role.network_manager)
    await sign_in(client, "boss@network.example")
    page = await client.get(f"/agents/{agent_id}/call-list")
    assert page.status_code == 200 and "Chiamate, settimana" in page.text and "D003" in page.text
    csv_file = await client.get(f"/agents/{agent_id}/call-list.csv")
    assert csv_file.status_code == 200 and csv_file.headers["content-type"].startswith("text/csv")
    assert csv_file.text.lstrip("\ufeff").splitlines()[0].startswith("Concessionario;")
    agent_page = await client.get(f"/agents/{agent_id}")
    assert agent_page.status_code == 200 and "Classifica di adozione" in agent_page.text

    manager_key = (await create_api_key(role=Role.network_manager, dealer_id=None)).key
    answer = await client.get(f"/api/v1/agents/{agent_id}/dealers", params={"period": "2026-10"},
                              headers={"Authorization": f"Bearer {manager_key}"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["period"] == "2026-10" and [d["code"] for d in body["dealers"]] == ["D001", "D002", "D003"]
    assert body["dealers"][0]["time_saved_minutes"] == 17 and body["dealers"][0]["requests_completed"] == 3
    assert [(d["off_portal_purchases"], d["portal_share"]) for d in body["dealers"]] == [(1, 0.8333), (0, None), (0, None)]

    dealer_key = (await create_api_key(role=Role.dealer_admin, dealer_id=_["dealers"]["D001"])).key
    refused = await client.get(f"/api/v1/agents/{agent_id}/dealers", headers={"Authorization": f"Bearer {dealer_key}"})
    assert refused.status_code == 403
    missing = await client.get("/api/v1/agents/999/dealers", headers={"Authorization": f"Bearer {manager_key}"})
    assert missing.status_code == 404
    bad = await client.get(f"/api/v1/agents/{agent_id}/dealers", params={"period": "2026-13"},
                           headers={"Authorization": f"Bearer {manager_key}"})
    assert bad.status_code == 422 and "period" in bad.text
