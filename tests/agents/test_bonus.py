"""The adoption bonus on the hand-worked October 2026 of docs/agents.md."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from marketplace.accounts.tables import Role
from marketplace.agents.bonus import DEFAULT_RULE, BonusRule, add_rule, agent_bonus, bonus_report, compute
from tests.agents.helpers import make_agent
from tests.conftest import make_user, sign_in
from tests.pulse.example import build_month


async def test_the_worked_month():
    await build_month()
    agent_id = await make_agent("agente@network.example", ["D001", "D002", "D003"])
    bonus = await agent_bonus(agent_id, "2026-10")
    assert (bonus.rule_version, bonus.dealers, bonus.active_dealers, bonus.minutes_saved) == (1, 3, 2, 17)
    # pulse's portal_requests and phone_orders summed: D001 5 (T1-T5) and 1, D002 and D003 none; 5 / 6.
    assert (bonus.portal_purchases, bonus.off_portal_purchases, bonus.share_pct) == (5, 1, Decimal("83.33"))
    assert (bonus.active_part, bonus.time_part, bonus.share_part) == (
        Decimal("40.00"), Decimal("0.57"), Decimal("166.65"))
    assert bonus.total == Decimal("207.22") and not bonus.capped


def test_the_worked_month_with_a_second_phone_order():
    share, active, time, share_part, total, capped = compute(
        DEFAULT_RULE, active_dealers=2, minutes_saved=17, portal=5, off_portal=2)
    assert (share, active, time, share_part, total, capped) == (
        Decimal("71.43"), Decimal("40.00"), Decimal("0.57"), Decimal("107.15"), Decimal("147.72"), False)
    nothing = compute(DEFAULT_RULE, active_dealers=0, minutes_saved=0, portal=0, off_portal=0)
    assert nothing == (None, Decimal("0.00"), Decimal("0.00"), Decimal("0.00"), Decimal("0.00"), False)


async def test_a_new_version_applies_from_its_date_and_the_cap_holds(client):
    await build_month()
    agent_id = await make_agent("agente@network.example", ["D001", "D002", "D003"])
    version = await add_rule(BonusRule(0, date(2026, 10, 1), Decimal("20.00"), Decimal("2.00"), Decimal("80.00"),
                                       Decimal("10.00"), Decimal("50.00")), "test")
    assert version == 2
    october = await agent_bonus(agent_id, "2026-10")
    # 40.00 + 0.57 + (83.33 - 80) x 10.00 = 73.87, capped at 50.00
    assert (october.rule_version, october.share_part, october.total, october.capped) == (
        2, Decimal("33.30"), Decimal("50.00"), True)
    september = await agent_bonus(agent_id, "2026-09")
    assert september.rule_version == 1

    await make_user("boss@network.example", Role.network_manager)
    await sign_in(client, "boss@network.example")
    page = await client.get("/network/agents/bonus", params={"period": "2026-10"})
    assert page.status_code == 200 and "Bonus di adozione" in page.text and "tetto raggiunto" in page.text
    csv_file = await client.get("/network/agents/bonus.csv", params={"period": "2026-10"})
    lines = csv_file.text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Agente;Email;Mese;Versione regola")
    assert lines[1].endswith(";2;3;2;17;5;1;83,33;40,00;0,57;33,30;50,00;sì")
    assert len(await bonus_report("2026-10")) == 1


async def test_manager_adds_a_version_on_the_page(manager):
    from marketplace.agents.bonus import rule_history
    from tests.conftest import csrf_token

    token = await csrf_token(manager, "/network/agents/bonus")
    form = {"_csrf_token": token, "effective_from": "2026-11-01", "per_active_dealer": "25,00", "per_hour_saved": "2",
            "share_floor_pct": "60", "per_share_point": "4", "cap": "800"}
    refused = await manager.post("/network/agents/bonus/rules", data={**form, "share_floor_pct": "120"})
    assert refused.status_code == 422 and 'aria-invalid="true" aria-describedby="rule-share_floor_pct-error"' in refused.text
    assert await rule_history() == []
    saved = await manager.post("/network/agents/bonus/rules", data=form)
    assert saved.status_code == 303
    [version] = await rule_history()
    assert (version["version"], version["per_active_dealer"], version["share_floor_pct"], version["created_by"]) == (
        2, Decimal("25.00"), Decimal("60.00"), "user:boss@network.example")
