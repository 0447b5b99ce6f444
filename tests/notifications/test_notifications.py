"""Notifications: a mail for each event (to the dealer's address and the people who want it), the
in-app list with its unread count, preferences and the daily digest."""

from datetime import datetime, timedelta, timezone

import pytest

from marketplace.accounts.tables import Role, User
from marketplace.matching.tables import Transfer
from marketplace.network.tables import Dealer
from marketplace.notifications.compose import digest_window
from marketplace.notifications.schedule import emit_digests, emit_expiring
from marketplace.notifications.settings import set_address, set_preferences
from marketplace.notifications.tables import Notification
from marketplace.outbox.delivery import deliver_pending
from marketplace.outbox.mailers import MailFolder
from marketplace.outbox.messages import emit
from marketplace.settings import get_settings
from tests.conftest import make_user, sign_in
from tests.matching.network import build_network, key_of, stock
from tests.outbox.mail import body, place, sent, stocked


def auth(key):
    return {"Authorization": f"Bearer {key}"}


async def dealer_id(code):
    return (await Dealer.select(Dealer.id).where(Dealer.code == code).first())["id"]


@pytest.fixture
async def network(client):
    await build_network()
    await stock("MZ", "03L 115 562", 5, "9.90")
    await set_address(await dealer_id("MZ"), "banco@monza.example")
    await set_address(await dealer_id("MI"), "ricambi@milano.example")
    await make_user("anna@mz.example", Role.dealer_staff, "MZ")
    return {code: await key_of(code) for code in ("MI", "MZ")}


async def request_transfer(client, key, quantity=2):
    response = await client.post("/api/v1/transfers", json={"supplier": "MZ", "part_number": "03L115562",
                                                             "quantity": quantity}, headers=auth(key))
    assert response.status_code == 201, response.text
    return response.json()


def addresses(message):
    return sorted(a.addr_spec for a in message["To"].addresses)


def by_topic(folder, topic):
    return [m for m in sent(folder) if m["X-Outbox-Topic"] == topic]


async def test_a_new_request_mails_the_supplier_with_a_link_and_lists_it(client, network, tmp_path):
    transfer = await request_transfer(client, network["MI"])
    await deliver_pending(MailFolder(tmp_path))
    [mail] = by_topic(tmp_path, "transfer.requested")
    assert addresses(mail) == ["anna@mz.example", "banco@monza.example"]
    assert mail["Subject"].strip() == (f"Nuova richiesta di trasferimento {transfer['id']} da MI / "
                               f"New transfer request {transfer['id']} from MI")
    text = body(mail)
    assert f"{get_settings().base_url}/transfers/{transfer['id']}" in text
    assert "2 x 03L 115 562" in text and "9,90 €" in text and text.index("Rispondi entro") < text.index("Answer by")

    # In the app: Anna sees it unread beside the other badges, then read once the list is opened.
    assert (await sign_in(client, "anna@mz.example")).status_code == 303
    home = await client.get("/transfers")
    assert 'title="notifiche da leggere">1</span>' in home.text
    listing = await client.get("/notifications")
    assert f'href="/transfers/{transfer["id"]}"' in listing.text and "da leggere" in listing.text
    assert "Nuova richiesta di trasferimento" in listing.text
    assert 'title="notifiche da leggere"' not in (await client.get("/transfers")).text


async def test_a_request_about_to_expire_is_told_once_an_hour_before(client, network, tmp_path):
    transfer = await request_transfer(client, network["MI"])
    deadline = datetime(2026, 12, 2, 15, 0, tzinfo=timezone.utc)  # a Wednesday, 16:00 in Rome
    await Transfer.update({Transfer.expires_at: deadline}).where(Transfer.id == transfer["id"])
    assert await emit_expiring(deadline - timedelta(hours=2)) == 0
    assert await emit_expiring(deadline - timedelta(minutes=59)) == 1
    assert await emit_expiring(deadline - timedelta(minutes=30)) == 0  # once
    await deliver_pending(MailFolder(tmp_path))
    [mail] = by_topic(tmp_path, "transfer.expiring")
    assert addresses(mail) == ["anna@mz.example", "banco@monza.example"]
    assert "scade tra meno di un'ora" in mail["Subject"]
    assert f"/transfers/{transfer['id']}" in body(mail)


async def test_working_hours_count_for_the_hour_before(client, network):
    transfer = await request_transfer(client, network["MI"])
    monday = datetime(2026, 12, 7, 7, 30, tzinfo=timezone.utc)  # Monday 08:30 in Rome
    await Transfer.update({Transfer.expires_at: monday}).where(Transfer.id == transfer["id"])
    friday_evening = datetime(2026, 12, 4, 16, 45, tzinfo=timezone.utc)  # Friday 17:45 Rome: 45 working minutes left
    assert await emit_expiring(friday_evening - timedelta(hours=1)) == 0
    assert await emit_expiring(friday_evening) == 1


async def test_an_offer_to_confirm_and_a_shipment_mail_the_requester(client, network, tmp_path):
    offered = await request_transfer(client, network["MI"], 3)
    answer = await client.post(f"/api/v1/transfers/{offered['id']}/accept", json={"quantity": 2}, headers=auth(network["MZ"]))
    assert answer.json()["status"] == "offered", answer.text
    shipped = await request_transfer(client, network["MI"], 1)
    await client.post(f"/api/v1/transfers/{shipped['id']}/accept", headers=auth(network["MZ"]))
    ship = await client.post(f"/api/v1/transfers/{shipped['id']}/ship", json={"carrier": "BRT", "tracking": "123"},
                             headers=auth(network["MZ"]))
    assert ship.status_code == 200, ship.text
    await deliver_pending(MailFolder(tmp_path))
    [offer] = by_topic(tmp_path, "transfer.offered")
    assert addresses(offer) == ["ricambi@milano.example"]
    assert "da confermare" in offer["Subject"] and "avevi chiesto 3" in body(offer)
    [parcel] = by_topic(tmp_path, "transfer.shipped")
    assert addresses(parcel) == ["ricambi@milano.example"]
    assert "BRT 123" in body(parcel) and f"/transfers/{shipped['id']}" in body(parcel)


async def test_an_urgent_need_mails_each_dealer_in_range_apart(client, network, tmp_path):
    await emit("urgent_need.posted", {"need_id": 7, "dealer_ids": [await dealer_id("MZ"), await dealer_id("MI")]})
    await deliver_pending(MailFolder(tmp_path))
    await deliver_pending(MailFolder(tmp_path))  # the per-dealer messages the first pass queued
    mails = by_topic(tmp_path, "notification.urgent_need")
    assert sorted(addresses(m)[0] for m in mails) == ["anna@mz.example", "ricambi@milano.example"]
    assert all(len(addresses(m)) <= 2 for m in mails)
    assert all(f"{get_settings().base_url}/urgent#need-7" in body(m) for m in mails)
    assert await Notification.count().where(Notification.kind == "urgent_need") == 2


async def test_a_new_online_order_reaches_a_store_without_staff_through_its_address(client, milano_point, tmp_path):
    await stocked()
    await set_address(await dealer_id("MI"), "banco@milano.example")  # MI has no user at all
    order = await place(client, milano_point)
    await deliver_pending(MailFolder(tmp_path))
    [store] = by_topic(tmp_path, "order.new")
    assert addresses(store) == ["banco@milano.example"]
    assert f"/pickup/orders/{order['id']}" in body(store)
    assert await Notification.count().where(Notification.kind == "order.new") == 1


async def test_preferences_leave_people_out_and_the_digest_gathers_low_priority(client, network, tmp_path):
    anna = await User.select(User.id).where(User.email == "anna@mz.example").first()
    await set_preferences(anna["id"], ["transfer.expiring"], digest=False)
    await make_user("luca@mi.example", Role.dealer_staff, "MI")
    luca = await User.select(User.id).where(User.email == "luca@mi.example").first()
    await set_preferences(luca["id"], ["transfer.offered", "transfer.shipped", "transfer.requested"], digest=True)

    await request_transfer(client, network["MI"])  # Anna no longer wants requests: the address still gets them
    shipped = await request_transfer(client, network["MI"], 1)
    await client.post(f"/api/v1/transfers/{shipped['id']}/accept", headers=auth(network["MZ"]))
    ship = await client.post(f"/api/v1/transfers/{shipped['id']}/ship", json={"carrier": "own van"}, headers=auth(network["MZ"]))
    assert ship.status_code == 200, ship.text
    await deliver_pending(MailFolder(tmp_path))
    # (the second request was shipped before the sweep: a request no longer waiting is not mailed)
    assert [addresses(m) for m in by_topic(tmp_path, "transfer.requested")] == [["banco@monza.example"]]
    [parcel] = by_topic(tmp_path, "transfer.shipped")
    assert addresses(parcel) == ["ricambi@milano.example"]  # Luca has it in his digest instead

    tomorrow = datetime.now(timezone.utc) + timedelta(days=1)
    morning = digest_window(tomorrow.date())[1] + timedelta(minutes=5)
    assert await emit_digests(morning - timedelta(hours=1)) == 0  # before 8:00
    assert await emit_digests(morning) == 1
    assert await emit_digests(morning + timedelta(hours=2)) == 0
    await deliver_pending(MailFolder(tmp_path / "digest"))
    [digest] = sent(tmp_path / "digest")
    assert addresses(digest) == ["luca@mi.example"] and "Riepilogo del giorno: 1 notifiche" in digest["Subject"]
    assert f"/transfers/{shipped['id']}" in body(digest) and "Spedizione in arrivo" in body(digest)


async def test_the_preferences_page_and_the_address(client, network):
    await make_user("boss@mz.example", Role.dealer_admin, "MZ")
    assert (await sign_in(client, "boss@mz.example")).status_code == 303
    from tests.conftest import csrf_token

    token = await csrf_token(client, "/notifications/preferences")
    saved = await client.post("/notifications/preferences", data={"_csrf_token": token, "kind:order.new": "on",
                                                                    "digest": "on"})
    assert saved.status_code == 303
    page = await client.get("/notifications/preferences")
    assert page.text.count("checked") == 2 and "banco@monza.example" in page.text
    bad = await client.post("/notifications/address", data={"_csrf_token": token, "address": "not-an-address"})
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text
    good = await client.post("/notifications/address", data={"_csrf_token": token, "address": "new@monza.example"})
    assert good.status_code == 303
    assert "new@monza.example" in (await client.get("/notifications/preferences")).text


async def test_an_online_order_offered_to_a_dealer_asks_it_to_accept(client, milano_point, tmp_path):
    await stocked()
    await set_address(await dealer_id("MZ"), "banco@monza.example")
    order = await place(client, milano_point)
    await emit("order.offered", {"order_id": order["id"], "dealer_id": await dealer_id("MZ")})  # the routing branch's
    await deliver_pending(MailFolder(tmp_path))
    [offer] = by_topic(tmp_path, "order.offered")
    assert addresses(offer) == ["banco@monza.example"]
    assert offer["Subject"].strip() == f"Ordine online {order['id']} da accettare / Online order {order['id']} to accept"
    assert f"/pickup/offers#order-{order['id']}" in body(offer)
