"""Urgent needs in radius waves: who each wave reaches (clock controlled), exactly one winner
under 20 concurrent commits, expiry, the pages and the API."""

import asyncio
from datetime import datetime, timedelta, timezone

import pytest

from marketplace.accounts.principal import Principal
from marketplace.accounts.tables import Role
from marketplace.errors import Conflict, NotFound
from marketplace.geo.gazetteer import get_gazetteer
from marketplace.inventory.tables import StockItem
from marketplace.matching.tables import Transfer, UrgentNeed
from marketplace.matching.urgent_needs import NeedInput, advance_urgent_needs, commit, post_need
from marketplace.network.tables import Dealer, NetworkSettings
from marketplace.outbox.tables import OutboxMessage
from tests.conftest import csrf_token, make_dealer, make_user, sign_in
from tests.matching.network import build_network, key_of, stock

PART = "03L 115 562"
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


async def principal(code: str) -> Principal:
    row = await Dealer.select(Dealer.id).where(Dealer.code == code).first()
    return Principal(role=Role.dealer_staff, dealer_id=row["id"], dealer_code=code, user_id=1, email=f"x@{code}")


async def codes(ids) -> list[str]:
    by_id = {r["id"]: r["code"] for r in await Dealer.select(Dealer.id, Dealer.code)}
    return [by_id[i] for i in ids]


async def waves() -> list[tuple[int, list[str]]]:
    rows = await OutboxMessage.select(OutboxMessage.payload).where(OutboxMessage.topic == "urgent_need.posted").order_by(
        OutboxMessage.id).output(load_json=True)
    return [(r["payload"]["wave"], await codes(r["payload"]["dealer_ids"])) for r in rows]


@pytest.fixture
async def holders():
    await build_network()  # MI; MZ ~15 km, BG ~45 km, TO ~125 km, RM ~480 km; CW the central warehouse
    for code in ("MZ", "BG", "TO", "RM", "CW"):
        await stock(code, PART, 5, "9.95")


async def test_waves_widen_every_hour_and_the_need_expires_with_no_taker(holders):
    need_id = await post_need(await principal("MI"), NeedInput(PART, 2, T0 + timedelta(days=2)), now=T0)
    assert await waves() == [(1, ["MZ", "BG"])]
    assert await advance_urgent_needs(T0 + timedelta(minutes=59)) == 0
    assert await advance_urgent_needs(T0 + timedelta(minutes=60)) == 1
    assert await advance_urgent_needs(T0 + timedelta(minutes=120)) == 1
    assert await advance_urgent_needs(T0 + timedelta(minutes=180)) == 1
    assert await waves() == [(1, ["MZ", "BG"]), (2, ["TO"]), (3, ["RM"]), (4, ["CW"])]
    assert (await UrgentNeed.select(UrgentNeed.status).first())["status"] == "open"
    assert await advance_urgent_needs(T0 + timedelta(minutes=240)) == 1
    assert (await UrgentNeed.select(UrgentNeed.status).first())["status"] == "expired"
    told = await OutboxMessage.select(OutboxMessage.payload).where(OutboxMessage.topic == "urgent_need.expired").output(
        load_json=True)
    assert [m["payload"]["need_id"] for m in told] == [need_id]
    assert await advance_urgent_needs(T0 + timedelta(minutes=300)) == 0


async def test_empty_waves_are_skipped_and_the_settings_shape_them(holders):
    await NetworkSettings.update({NetworkSettings.urgent_first_radius_km: 10, NetworkSettings.urgent_second_radius_km: 60,
                                  NetworkSettings.urgent_central_wave: False}, force=True)
    await StockItem.update({StockItem.on_hand: 0}, force=True).where(StockItem.dealer.code.is_in(["MZ", "BG"]))
    await post_need(await principal("MI"), NeedInput(PART, 1, T0 + timedelta(days=2)), now=T0)
    assert await waves() == [(3, ["TO", "RM"])]  # nobody within 10 or 60 km holds it: everyone at once
    assert await advance_urgent_needs(T0 + timedelta(minutes=60)) == 1
    assert (await UrgentNeed.select(UrgentNeed.status).first())["status"] == "expired"  # no central wave


async def test_the_first_holder_to_commit_gets_it_as_a_transfer_and_others_see_it_taken(holders, client):
    need_id = await post_need(await principal("MI"), NeedInput(PART, 2, note="fermo officina"))
    with pytest.raises(NotFound):
        await commit(await principal("TO"), need_id)  # not reached yet
    transfer_id = await commit(await principal("BG"), need_id)
    transfer = await Transfer.select(Transfer.status, Transfer.requester.code, Transfer.supplier.code,
                                     Transfer.quantity).where(Transfer.id == transfer_id).first()
    assert transfer == {"status": "accepted", "requester.code": "MI", "supplier.code": "BG", "quantity": 2}
    reserved = await StockItem.select(StockItem.reserved).where(StockItem.dealer.code == "BG").first()
    assert reserved["reserved"] == 2
    with pytest.raises(Conflict, match="another dealer took"):
        await commit(await principal("MZ"), need_id)
    seen = await client.get("/api/v1/urgent-needs", headers={"Authorization": f"Bearer {await key_of('MZ')}"})
    assert [(n["id"], n["status"], n["taker"]) for n in seen.json()] == [(need_id, "taken", "BG")]
    assert await advance_urgent_needs(datetime.now(timezone.utc) + timedelta(hours=5)) == 0  # taken: no more waves


async def test_exactly_one_winner_under_20_concurrent_commits():
    await build_network()
    contenders = [f"N{i:02d}" for i in range(20)]
    caps = [cap for cap in (str(n) for n in range(20121, 20199)) if get_gazetteer().postal_code(cap)][:20]
    for code, cap in zip(contenders, caps):
        await make_dealer(code, cap)
        await stock(code, PART, 3, "9.95")
    need_id = await post_need(await principal("MI"), NeedInput(PART, 3))
    reached = (await waves())[0][1]
    assert set(contenders) <= set(reached)
    people = [await principal(code) for code in contenders]

    async def attempt(who):
        try:
            return await commit(who, need_id)
        except Conflict as error:
            return error

    results = await asyncio.gather(*(attempt(who) for who in people))
    winners = [r for r in results if isinstance(r, int)]
    assert len(winners) == 1
    assert all(isinstance(r, Conflict) and r.extra["status"] == "taken" for r in results if not isinstance(r, int))
    assert await Transfer.count() == 1
    held = await StockItem.select(StockItem.reserved).where(StockItem.reserved > 0)
    assert [r["reserved"] for r in held] == [3]
    need = await UrgentNeed.select(UrgentNeed.status, UrgentNeed.transfer).first()
    assert need == {"status": "taken", "transfer": winners[0]}


async def test_the_pages_post_list_and_commit(holders, client):
    await make_user("banco@mi.example", Role.dealer_staff, "MI")
    await make_user("banco@mz.example", Role.dealer_staff, "MZ")
    await sign_in(client, "banco@mi.example")
    token = await csrf_token(client, "/urgent")
    refused = await client.post("/urgent", data={"part_number": PART, "quantity": "0", "_csrf_token": token})
    assert refused.status_code == 422 and 'aria-invalid="true"' in refused.text
    posted = await client.post("/urgent", data={"part_number": PART, "quantity": "1", "note": "cliente in attesa",
                                                "_csrf_token": token})
    assert posted.status_code == 303
    mine = await client.get(posted.headers["location"])
    assert "Richieste urgenti" in mine.text and "ondata 1" in mine.text and PART in mine.text
    client.cookies.clear()
    await sign_in(client, "banco@mz.example")
    page = await client.get("/urgent")
    assert "cliente in attesa" in page.text and "Ce l&#39;ho" in page.text, page.text[page.text.find('<main'):][:1500]
    need_id = (await UrgentNeed.select(UrgentNeed.id).first())["id"]
    token = await csrf_token(client, "/urgent")
    taken = await client.post(f"/urgent/{need_id}/commit", data={"_csrf_token": token})
    assert taken.status_code == 303 and taken.headers["location"].startswith("/transfers/")
    again = await client.post(f"/urgent/{need_id}/commit", data={"_csrf_token": token})
    assert again.status_code == 409


async def test_the_api_posts_and_commits(holders, client):
    mi = {"Authorization": f"Bearer {await key_of('MI')}"}
    bad = await client.post("/api/v1/urgent-needs", json={"part_number": PART, "quantity": 1,
                                                         "needed_by": "2020-01-01T10:00:00+01:00"}, headers=mi)
    assert bad.status_code == 422 and bad.json()["field"] == "needed_by"
    made = await client.post("/api/v1/urgent-needs", json={"part_number": PART, "quantity": 1}, headers=mi)
    assert made.status_code == 201 and made.json()["status"] == "open" and made.json()["wave"] == 1
    need_id = made.json()["id"]
    taken = await client.post(f"/api/v1/urgent-needs/{need_id}/commit",
                              headers={"Authorization": f"Bearer {await key_of('MZ')}"})
    assert taken.status_code == 200 and taken.json()["need_id"] == need_id
    late = await client.post(f"/api/v1/urgent-needs/{need_id}/commit",
                             headers={"Authorization": f"Bearer {await key_of('BG')}"})
    assert late.status_code == 409 and late.json()["status"] == "taken"
    mine = await client.get("/api/v1/urgent-needs", params={"scope": "mine"}, headers=mi)
    assert mine.status_code == 200, mine.text
    assert [(n["status"], n["taker"]) for n in mine.json()] == [("taken", "MZ")]
