"""Orders as the people around them see them: the customer, the store's counter, the territory owner."""

from __future__ import annotations

from decimal import Decimal

from piccolo.query.functions.aggregate import Count, Sum

from marketplace.accounts.principal import Principal
from marketplace.errors import NotFound
from marketplace.inventory.search_terms import clean_query, like_escape
from marketplace.pagination import PER_PAGE, Page
from marketplace.pickup.lifecycle import confirm_minutes, normalize_code, on_its_way
from marketplace.pickup.tables import CustomerOrder, OrderLine, OrderStatus, PickupPoint
from marketplace.settlement.tables import LedgerLine

#: The counter's lists: what to prepare, what waits on the shelf, what left it, what never will.
TABS = {
    "prepare": (OrderStatus.placed,),
    "ready": (OrderStatus.ready_for_pickup,),
    "collected": (OrderStatus.collected,),
    "closed": (OrderStatus.cancelled, OrderStatus.expired),
}

_POINT = (
    PickupPoint.name, PickupPoint.address, PickupPoint.postal_code, PickupPoint.city, PickupPoint.opening_hours,
    PickupPoint.dealer.code.as_alias("dealer_code"), PickupPoint.dealer.name.as_alias("dealer_name"),
)
_ORDER = (
    CustomerOrder.id, CustomerOrder.status, CustomerOrder.pickup_code, CustomerOrder.pickup_point,
    CustomerOrder.pickup_point.name.as_alias("point_name"), CustomerOrder.pickup_point.dealer.as_alias("point_dealer"),
    CustomerOrder.territory_owner.code.as_alias("territory_owner"), CustomerOrder.customer_name,
    CustomerOrder.customer_email, CustomerOrder.customer_phone, CustomerOrder.customer_postal_code,
    CustomerOrder.total, CustomerOrder.token, CustomerOrder.created_at, CustomerOrder.ready_at,
    CustomerOrder.hold_until, CustomerOrder.updated_at, CustomerOrder.code_failures, CustomerOrder.promised_for,
    CustomerOrder.payment_method, CustomerOrder.paid_amount, CustomerOrder.confirm_by, CustomerOrder.confirmed_at,
)


async def _lines_of(order_ids: list[int]) -> dict[int, list[dict]]:
    """The lines of each order, in the order they were placed."""
    if not order_ids:
        return {}
    out: dict[int, list[dict]] = {}
    for line in await OrderLine.select(
        OrderLine.order, OrderLine.part.part_number.as_alias("part_number"),
        OrderLine.part.description.as_alias("description"), OrderLine.quantity, OrderLine.unit_price,
        OrderLine.source_dealer.code.as_alias("source_dealer"), OrderLine.transfer,
        OrderLine.transfer.status.as_alias("transfer_status"),
    ).where(OrderLine.order.is_in(order_ids)).order_by(OrderLine.id):
        out.setdefault(line["order"], []).append(line)
    return out


async def _one_order(where, missing: NotFound) -> dict:
    """One order with its pickup point and its lines, or ``missing`` raised."""
    order = await CustomerOrder.select(*_ORDER).where(where).first()
    if order is None:
        raise missing
    order["point"] = await PickupPoint.select(*_POINT).where(PickupPoint.id == order["pickup_point"]).output(
        load_json=True).first()
    order["lines"] = (await _lines_of([order["id"]])).get(order["id"], [])
    return order


async def order_for_customer(token: str) -> dict:
    """The order behind a customer's link, with its pickup point; the token is the only key."""
    return _with_deadline(await _one_order(CustomerOrder.token == token, NotFound(
        "no order at this link: check the link in your confirmation message", "token")))


async def order_to_confirm(confirm_token: str) -> dict:
    """The order behind the confirmation link of the customer's mail."""
    return _with_deadline(await _one_order(CustomerOrder.confirm_token == confirm_token, NotFound(
        "no order to confirm at this link: check the link in your message", "token")))


def _with_deadline(order: dict) -> dict:
    """``confirm_minutes``: how long the customer was given to confirm (None once confirmed or
    for orders from before confirmation)."""
    unconfirmed = order["status"] == OrderStatus.unconfirmed.value and order["confirm_by"] is not None
    order["confirm_minutes"] = confirm_minutes(order) if unconfirmed else None
    return order


def _visible_to(principal: Principal):
    """Managers see every order; a dealer the ones at its own pickup points."""
    if principal.is_manager:
        return CustomerOrder.id.is_not_null()
    return CustomerOrder.pickup_point.dealer == principal.dealer_id


def _matching(q: str):
    """An order number, or words of the customer's name or email (a customer without the code)."""
    q = clean_query(q)
    if q.isascii() and q.isdecimal():
        return CustomerOrder.id == int(q) if int(q) < 2**31 else CustomerOrder.id == 0
    condition = None
    for word in q.split():
        pattern = f"%{like_escape(word)}%"
        match = CustomerOrder.customer_name.ilike(pattern) | CustomerOrder.customer_email.ilike(pattern)
        condition = match if condition is None else condition & match
    return condition


async def counter_orders(principal: Principal, tab: str, page: int = 1, q: str = "") -> Page[dict]:
    """One tab of the counter's list: oldest first while waiting, newest first once closed; with
    ``q``, the tab's orders whose number, customer name or email match."""
    statuses = TABS.get(tab, TABS["prepare"])
    where = _visible_to(principal) & CustomerOrder.status.is_in([s.value for s in statuses])
    if clean_query(q) and (matching := _matching(q)) is not None:
        where &= matching
    waiting = tab in ("prepare", "ready")
    order_by = [CustomerOrder.promised_for, CustomerOrder.created_at] if tab == "prepare" else [
        CustomerOrder.hold_until if tab == "ready" else CustomerOrder.updated_at]
    total = await CustomerOrder.count().where(where)
    rows = await CustomerOrder.select(*_ORDER).where(where).order_by(*order_by, ascending=waiting).limit(
        PER_PAGE).offset((page - 1) * PER_PAGE)
    lines = await _lines_of([row["id"] for row in rows])
    for row in rows:
        row["lines"] = lines.get(row["id"], [])
    return Page(items=rows, total=total, page=page)


async def tab_counts(principal: Principal) -> dict[str, int]:
    counts = {tab: 0 for tab in TABS}
    rows = await CustomerOrder.select(CustomerOrder.status, Count(alias="n")).where(
        _visible_to(principal)).group_by(CustomerOrder.status)
    for row in rows:
        for tab, statuses in TABS.items():
            if row["status"] in {s.value for s in statuses}:
                counts[tab] += row["n"]
    return counts


async def to_prepare_count(dealer_id: int) -> int:
    return await CustomerOrder.count().where(
        (CustomerOrder.pickup_point.dealer == dealer_id) & (CustomerOrder.status == OrderStatus.placed.value))


async def counter_order(principal: Principal, order_id: int) -> dict:
    """One order as its pickup point's staff see it (another dealer's order is not found)."""
    # An order not confirmed yet is not the store's to see.
    order = await _one_order((CustomerOrder.id == order_id) & _visible_to(principal)
                             & (CustomerOrder.status != OrderStatus.unconfirmed.value),
                             NotFound(f"no order {order_id} at your pickup points", "order"))
    order["waiting_transfers"] = [line for line in order["lines"] if on_its_way(line)]
    return order


async def ready_order_with_code(principal: Principal, code: str, locked_at: int | None = None) -> int | None:
    """The order on the shelf of the caller's points that a customer's code belongs to (not one
    locked by ``locked_at`` wrong codes)."""
    where = (_visible_to(principal) & (CustomerOrder.pickup_code == normalize_code(code))
             & (CustomerOrder.status == OrderStatus.ready_for_pickup.value))
    if locked_at is not None:
        where &= CustomerOrder.code_failures < locked_at
    row = await CustomerOrder.select(CustomerOrder.id).where(where).first()
    return row["id"] if row else None


async def territory_orders(dealer_id: int, page: int = 1) -> tuple[Page[dict], Decimal]:
    """Orders from the dealer's territory, whoever fulfils them, with the referral each earned;
    and the referral earned in all. The customer's contact stays with the fulfilling store."""
    where = (CustomerOrder.territory_owner == dealer_id) & (CustomerOrder.status != OrderStatus.unconfirmed.value)
    total = await CustomerOrder.count().where(where)
    rows = await CustomerOrder.select(
        CustomerOrder.id, CustomerOrder.status, CustomerOrder.created_at, CustomerOrder.customer_postal_code,
        CustomerOrder.total, CustomerOrder.pickup_point.name.as_alias("point_name"),
        CustomerOrder.pickup_point.dealer.code.as_alias("point_dealer_code"),
    ).where(where).order_by(CustomerOrder.created_at, ascending=False).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    earned = await _referrals(dealer_id, [f"order:{row['id']}" for row in rows])
    for row in rows:
        row["referral"] = earned.get(f"order:{row['id']}")
    everything = await LedgerLine.select(Sum(LedgerLine.amount, alias="total")).where(
        (LedgerLine.dealer == dealer_id) & (LedgerLine.kind == "referral")).first()
    return Page(items=rows, total=total, page=page), (everything["total"] or Decimal("0.00"))


async def _referrals(dealer_id: int, sources: list[str]) -> dict[str, Decimal]:
    if not sources:
        return {}
    rows = await LedgerLine.select(LedgerLine.entry.source.as_alias("source"), LedgerLine.amount).where(
        (LedgerLine.dealer == dealer_id) & (LedgerLine.kind == "referral") & LedgerLine.entry.source.is_in(sources))
    out: dict[str, Decimal] = {}
    for row in rows:
        out[row["source"]] = out.get(row["source"], Decimal("0")) + row["amount"]
    return out

