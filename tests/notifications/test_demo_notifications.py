"""The demo: every dealer has a notification address, so a store without staff gets its order mails;
the demo dealers have notifications to read and a failing webhook endpoint to look at."""

from marketplace.accounts.tables import User
from marketplace.network.tables import Dealer
from marketplace.notifications.tables import Notification, NotificationAddress
from marketplace.outbox.delivery import deliver_pending
from marketplace.outbox.mailers import MailFolder
from marketplace.outbox.tables import OutboxMessage
from marketplace.pickup.lifecycle import confirm_order
from marketplace.pickup.tables import CustomerOrder, PickupPoint
from marketplace.seed import seed_network
from marketplace.webhooks.tables import WebhookDelivery, WebhookEndpoint
from tests.outbox.mail import sent


async def test_every_demo_dealer_is_reachable_and_the_lists_are_not_empty(client, tmp_path):
    logins = await seed_network(dealers=25, parts=400, seed=3, rows_per_dealer=60)
    assert await NotificationAddress.count() == await Dealer.count() == 25
    staffed = {r["dealer"] for r in await User.select(User.dealer).where(User.dealer.is_not_null())}
    assert len(staffed) < 25  # most demo stores have no people: their mail goes to the dealer's address

    demo_dealers = [login.dealer_code for login in logins if login.dealer_code]
    for code in set(demo_dealers):
        assert await Notification.count().where(Notification.dealer.code == code) > 0
    endpoint = await WebhookEndpoint.select().first()
    assert endpoint["url"].startswith("http://127.0.0.1") and endpoint["disabled_at"] is None
    states = sorted((d["delivered_at"] is not None, d["given_up_at"] is not None) for d in await WebhookDelivery.select())
    assert states == [(False, True), (True, False)]

    # An online order at a store nobody works at: its new-order mail goes to the store's address.
    point = await PickupPoint.select(PickupPoint.id, PickupPoint.dealer).where(
        PickupPoint.dealer.not_in(list(staffed))).first()
    order = await client.post("/api/v1/orders", json={
        "customer": {"name": "Mario Rossi", "email": "mario@example.com", "postal_code": "20121"},
        "items": [{"part_number": await _a_part_on_sale_at(point["dealer"]), "quantity": 1}],
        "pickup_point_id": point["id"]})
    assert order.status_code == 201, order.text
    token = (await CustomerOrder.select(CustomerOrder.confirm_token).where(
        CustomerOrder.id == order.json()["id"]).first())["confirm_token"]
    await confirm_order(token)
    await deliver_pending(MailFolder(tmp_path))
    code = (await Dealer.select(Dealer.code).where(Dealer.id == point["dealer"]).first())["code"]
    # The demo's own orders send theirs too; this order's is the one naming it.
    [store] = [m for m in sent(tmp_path) if m["X-Outbox-Topic"] == "order.new"
               and str(order.json()["id"]) in m["Subject"]]
    assert [a.addr_spec for a in store["To"].addresses] == [f"ricambi.{code.lower()}@demo.example"]
    assert await OutboxMessage.count().where(OutboxMessage.given_up_at.is_not_null()) == 0


async def _a_part_on_sale_at(dealer_id: int) -> str:
    from marketplace.piccolo_conf import DB

    rows = await DB.run_ddl(
        "SELECT p.part_number FROM stock_item s JOIN part p ON p.id = s.part"
        f" WHERE s.dealer = {int(dealer_id)} AND s.on_hand - s.reserved > 2 AND s.shared AND p.channel = 'online'"
        " AND p.superseded_by IS NULL ORDER BY p.id LIMIT 1")
    return rows[0]["part_number"]
