"""An order after it is placed: ready at the counter, collected with its code, cancelled, expired."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from marketplace.accounts.principal import Principal
from marketplace.calendar import ROME
from marketplace.errors import Conflict, Forbidden, Invalid, NotFound, TooManyAttempts
from marketplace.inventory.reservations import release, take_out
from marketplace.matching.transfers import cancel_unshipped
from marketplace.network.tables import Dealer
from marketplace.outbox.messages import emit
from marketplace.pickup.payment import PAYMENT
from marketplace.pickup.tables import CustomerOrder, OrderLine, OrderStatus, PickupPoint
from marketplace.settlement.ledger import EntryKind, Party, book, order_description, order_lines
from marketplace.settlement.rules import rules_at

HOLD = timedelta(days=7)
CODE_ATTEMPTS = 5
O = OrderStatus

async def _locked(order_id: int, principal: Principal | None) -> tuple[dict, dict]:
    """The order (row-locked) and its pickup point; only the point's staff and managers act on it."""
    order = await CustomerOrder.select().where(CustomerOrder.id == order_id).lock_rows().first()
    if order is None:
        raise NotFound(f"no order {order_id}", "order")
    point = await PickupPoint.select(PickupPoint.id, PickupPoint.dealer, PickupPoint.model, PickupPoint.fee_per_parcel,
                                     PickupPoint.commission_pct, PickupPoint.dealer.code.as_alias("dealer_code")).where(
        PickupPoint.id == order["pickup_point"]).first()
    if principal is not None and not (principal.is_manager or principal.dealer_id == point["dealer"]):
        raise NotFound(f"no order {order_id}", "order")
    if principal is not None and order["status"] == O.unconfirmed.value:  # the store is not told of it yet
        raise NotFound(f"no order {order_id}", "order")
    return order, point


def on_its_way(line: dict) -> bool:
    """A line still travelling to the point by transfer: the order cannot be ready before it arrives."""
    return bool(line["transfer"]) and line["transfer_status"] != "received"


def normalize_code(code: str) -> str:
    """A pickup code as typed or scanned: spaces and case do not matter."""
    return code.strip().upper().replace(" ", "")


def _expect(order: dict, *allowed: OrderStatus) -> None:
    if order["status"] not in {s.value for s in allowed}:
        raise Conflict(f"the order is {order['status']}", "status", status=order["status"])


async def _lines(order_id: int) -> list[dict]:
    return await OrderLine.select(
        OrderLine.part, OrderLine.quantity, OrderLine.unit_price, OrderLine.source_dealer,
        OrderLine.source_dealer.code.as_alias("source_code"), OrderLine.transfer,
        OrderLine.transfer.status.as_alias("transfer_status"),
    ).where(OrderLine.order == order_id)


async def _set(order_id: int, **values) -> None:
    values = {getattr(CustomerOrder, name): value for name, value in values.items()}
    values[CustomerOrder.updated_at] = datetime.now(timezone.utc)
    await CustomerOrder.update(values).where(CustomerOrder.id == order_id)


def confirm_minutes(order: dict) -> int:
    """The minutes an unconfirmed order was given to be confirmed (the setting when it was placed)."""
    return round((order["confirm_by"] - order["created_at"]).total_seconds() / 60)


async def confirm_order(confirm_token: str, now: datetime | None = None) -> str:
    """The customer confirms by the emailed link, within the order's deadline: the order goes to
    its store (``order.new``) and holds its stock until collected or expired. Confirming twice is
    harmless. The order's token (its page), or NotFound / Conflict (too late, cancelled)."""
    now = now or datetime.now(timezone.utc)
    from marketplace.pickup.acceptance import offer_lines  # acceptance reads this module's release_order

    async with CustomerOrder._meta.db.transaction() as tx:
        order = await CustomerOrder.select(
            CustomerOrder.id, CustomerOrder.status, CustomerOrder.confirm_by, CustomerOrder.token,
            CustomerOrder.pickup_point,
        ).where(CustomerOrder.confirm_token == confirm_token).lock_rows().first()
        if order is None:
            raise NotFound("no order to confirm at this link: check the link in your message", "token")
        if order["status"] == O.unconfirmed.value:
            if order["confirm_by"] <= now:
                raise Conflict("too late to confirm: the order was held until then and is cancelled", "status",
                               status="expired")
            await _set(order["id"], status=O.placed, confirmed_at=now)
            await emit("order.new", {"order_id": order["id"], "to": "store", "pickup_point_id": order["pickup_point"]})
            await offer_lines(tx.connection, order["id"], now)  # each source dealer accepts its lines in time
        elif order["status"] in (O.cancelled.value, O.expired.value):
            raise Conflict(f"the order is {order['status']}", "status", status=order["status"])
    return order["token"]


async def mark_ready(principal: Principal, order_id: int) -> None:
    """Every line is on the point's shelf: transfers it waited for have been received."""
    async with CustomerOrder._meta.db.transaction():
        order, _ = await _locked(order_id, principal)
        _expect(order, O.placed)
        waiting = [l for l in await _lines(order_id) if on_its_way(l)]
        if waiting:
            raise Conflict(f"waiting for transfer {waiting[0]['transfer']} from {waiting[0]['source_code']}", "status",
                           status=order["status"])
        now = datetime.now(timezone.utc)
        await _set(order_id, status=O.ready_for_pickup, ready_at=now, hold_until=now + HOLD)
        await emit("order.ready", {"order_id": order_id, "to": "customer"})


async def collect(principal: Principal, order_id: int, code: str, amount: Decimal | None = None) -> None:
    """The customer shows the code and pays at the counter (``amount``: what the store says it
    took, checked against the total when given); the ledger lines are written."""
    wrong = False
    async with CustomerOrder._meta.db.transaction() as tx:
        order, point = await _locked(order_id, principal)
        _expect(order, O.ready_for_pickup)
        if order["code_failures"] >= CODE_ATTEMPTS:
            raise TooManyAttempts("too many wrong codes: the order is locked, call the network", "pickup_code")
        wrong = normalize_code(code) != order["pickup_code"]
        if wrong:
            # Counted in a transaction that commits: the error is raised after it.
            await _set(order_id, code_failures=order["code_failures"] + 1)
        else:
            payment = PAYMENT.take(order["total"], amount)
            await _hand_over(tx.connection, order, point)
            await _set(order_id, payment_method=payment.method, paid_amount=payment.amount)
    if wrong:
        raise Invalid("wrong pickup code", "pickup_code")


async def unlock_code(principal: Principal, order_id: int) -> None:
    """A manager, having heard the customer out, lets the store try the code again."""
    if not principal.is_manager:
        raise Forbidden("only the network unlocks an order's code", "order")
    async with CustomerOrder._meta.db.transaction():
        order, _ = await _locked(order_id, principal)
        _expect(order, O.ready_for_pickup)
        await _set(order_id, code_failures=0)


async def _hand_over(connection, order: dict, point: dict) -> None:
    """The parcel leaves the shelf: stock out of the point's dealer, the ledger lines written."""
    lines = await _lines(order["id"])
    for line in lines:
        if not line["transfer"]:
            await take_out(connection, line["source_dealer"], line["part"], line["quantity"])
    await _book(order, point, lines)
    await _set(order["id"], status=O.collected)
    await emit("order.collected", {"order_id": order["id"]})


async def _book(order: dict, point: dict, lines: list[dict]) -> None:
    rules = await rules_at()
    rules = replace(rules, pickup_fee=point["fee_per_parcel"] if point["fee_per_parcel"] is not None else rules.pickup_fee,
                    hub_pct=point["commission_pct"] if point["commission_pct"] is not None else rules.hub_pct)
    pickup = Party(point["dealer"], point["dealer_code"])
    # A line that travelled by transfer is sold by the point's dealer, who paid the transfer price.
    sellers: dict[Party, Decimal] = {}
    for line in lines:
        seller = pickup if line["transfer"] else Party(line["source_dealer"], line["source_code"])
        sellers[seller] = sellers.get(seller, Decimal("0")) + line["unit_price"] * line["quantity"]
    owner = None
    if order["territory_owner"]:
        row = await Dealer.select(Dealer.code).where(Dealer.id == order["territory_owner"]).first()
        owner = Party(order["territory_owner"], row["code"])
    await book(EntryKind.order, f"order:{order['id']}",
               order_lines(order["total"], list(sellers.items()), owner, pickup, point["model"], rules,
                           payment_method=PAYMENT.name),
               description=await order_description(order["id"], pickup), rules_version=rules.version)


async def cancel(principal: Principal | None, order_id: int) -> None:
    """Staff cancel before collection (``principal``); the customer (None) only before it is ready
    and before a part is on its way to the store (the store is told)."""
    async with CustomerOrder._meta.db.transaction() as tx:
        order, _ = await _locked(order_id, principal)
        if principal is None:
            _expect(order, O.unconfirmed, O.placed)
            if any(l["transfer_status"] in ("shipped", "received") for l in await _lines(order_id)):
                raise Conflict("a part is already on its way to the store: call the store to cancel", "status",
                               status=order["status"])
        else:
            _expect(order, O.placed, O.ready_for_pickup)
        await _release(tx.connection, order_id)
        await _set(order_id, status=O.cancelled)
        await emit("order.cancelled", {"order_id": order_id, "by": "customer" if principal is None else "store"})
        if principal is None and order["status"] == O.placed.value:  # the store knew of it
            await emit("order.withdrawn", {"order_id": order_id, "to": "store"})


async def release_order(connection, order_id: int) -> None:
    """Release every line's stock (unshipped transfers cancelled): the order is ending."""
    await _release(connection, order_id)


async def _release(connection, order_id: int) -> None:
    for line in await _lines(order_id):
        if not line["transfer"]:
            await release(connection, line["source_dealer"], line["part"], line["quantity"])
        elif line["transfer_status"] in ("requested", "offered", "accepted"):
            # The transfer row first, and only while still unshipped: a supplier shipping at this
            # moment either waits for us or makes this a no-op (shipping takes the same lock first).
            if await cancel_unshipped(connection, line["transfer"]):
                await release(connection, line["source_dealer"], line["part"], line["quantity"])


# Ready orders not collected by the end of their hold; and orders never made ready a hold period
# after the day they were promised (a transfer that never came, a store that forgot): both would
# otherwise keep their stock reserved and their slot of the store's day for ever. And orders the
# customer did not confirm in time: they held the stock only briefly.
_DUE = """
SELECT id, status FROM customer_order
WHERE (status = 'ready_for_pickup' AND hold_until <= $1) OR (status = 'placed' AND promised_for < $2)
   OR (status = 'unconfirmed' AND confirm_by <= $1)
ORDER BY id LIMIT 500 FOR UPDATE SKIP LOCKED
"""


async def expire_uncollected(now: datetime | None = None) -> int:
    """Orders not collected within the hold period (or never ready, or not confirmed in time):
    expired, their stock released; the customer is told (``order.lapsed`` for an unconfirmed one)."""
    now = now or datetime.now(timezone.utc)
    never_ready = now.astimezone(ROME).date() - HOLD
    async with CustomerOrder._meta.db.transaction() as tx:
        due = await tx.connection.fetch(_DUE, now, never_ready)
        for row in due:
            await _release(tx.connection, row["id"])
            await _set(row["id"], status=O.expired)
            lapsed = row["status"] == O.unconfirmed.value
            await emit("order.lapsed" if lapsed else "order.expired", {"order_id": row["id"]})
    return len(due)


