"""Placing a click-and-collect order: every line reserved at its source, atomically, or nothing."""

from __future__ import annotations

import hashlib
import json
import math
import re
import secrets
import unicodedata
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta, timezone

import asyncpg

from marketplace.accounts.tokens import new_token
from marketplace.calendar import NO_CLOSURES, ROME, add_working_days
from marketplace.errors import Conflict, Invalid
from marketplace.geo.distance import haversine_km_many
from marketplace.geo.gazetteer import get_gazetteer
from marketplace.geo.territory_lookup import owner_of
from marketplace.inventory.availability import holders_of
from marketplace.inventory.normalize import normalize_part_number
from marketplace.inventory.reservations import reserve
from marketplace.matching.tables import TransferStatus
from marketplace.matching.transfers import insert_transfer
from marketplace.network.closures import closures_for, closures_of
from marketplace.network.directory import directory
from marketplace.outbox.messages import emit
from marketplace.pickup.order_limits import check_history, check_order_rate, check_share
from marketplace.pickup.quotes import CartLine, booked_days, cart_lines, transfer_days
from marketplace.pickup.readiness import CAPACITY_HORIZON_DAYS, promised_ready
from marketplace.pickup.storefront import MAX_CART_LINES, MAX_QUANTITY
from marketplace.pickup.tables import CustomerOrder, OrderLine, OrderStatus

# Eight characters a customer can read out and a clerk type without confusing 0/O, 1/I/L, 2/Z, 5/S, 8/B.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def new_pickup_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


@dataclass(frozen=True, slots=True)
class Customer:
    name: str
    email: str
    phone: str
    postal_code: str


@dataclass(frozen=True, slots=True)
class OrderRequest:
    customer: Customer
    items: tuple[tuple[str, int], ...]  # (part number, quantity)
    pickup_point_id: int

    def fingerprint(self) -> str:
        body = {**asdict(self), "items": sorted((normalize_part_number(n), q) for n, q in self.items)}
        return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


_PHONE = re.compile(r"^[0-9 +()./-]{0,40}$")


def _check_customer(customer: Customer) -> None:
    # The name goes into messages to the store: no line breaks or other control characters.
    if not customer.name.strip() or len(customer.name) > 200 or any(
            unicodedata.category(c).startswith("C") for c in customer.name):
        raise Invalid("a name of 1-200 characters is needed, on one line", "customer.name")
    if not _PHONE.match(customer.phone.strip()):
        raise Invalid("a phone number: digits, spaces and + ( ) . / - only", "customer.phone")
    if not _EMAIL.match(customer.email.strip()):
        raise Invalid("not a valid email address", "customer.email")
    if get_gazetteer().postal_code(customer.postal_code.strip()) is None:
        raise Invalid(f"{customer.postal_code!r} is not an Italian postal code (CAP)", "customer.postal_code")


async def _reserve_line(connection, line: CartLine, point: dict, owner_id: int | None) -> tuple[int, object]:
    """Reserve one line: at the point's own dealer if it holds it, else at the territory owner,
    else at the holder nearest the point. (source dealer id, transfer price) or Conflict."""
    # Shared stock only, the point's own included: the shop sells what dealers publish to the pool,
    # and the quote promised from that.
    if await reserve(connection, point["dealer"], line.part_id, line.quantity) is not None:
        return point["dealer"], None
    holders = await holders_of(connection, line.part_id, point["dealer"])
    enough = [h for h in holders if h["available"] >= line.quantity]
    if enough:
        # A holder the geocoder could not place still counts (as the quote counted it), last.
        km = [math.inf if h["lat"] is None else float(d) for h, d in zip(enough, haversine_km_many(
            point["lat"], point["lon"], [h["lat"] or 0.0 for h in enough], [h["lon"] or 0.0 for h in enough]))]
        ordered = sorted(zip(enough, km), key=lambda pair: (pair[0]["dealer"] != owner_id, pair[1]))
        for holder, _ in ordered:
            price = await reserve(connection, holder["dealer"], line.part_id, line.quantity)
            if price is not None:
                return holder["dealer"], price
    available = max([h["available"] for h in holders] + [0])
    raise Conflict(f"{line.part_number}: {line.quantity} asked, at most {available} available at one dealer",
                   "items", part_number=line.part_number, available=available)


_POINT = """
SELECT p.id, p.dealer, p.lat, p.lon, p.opening_hours, p.lead_time_minutes, p.daily_capacity,
       p.active AND d.active AS open
FROM pickup_point p JOIN dealer d ON d.id = p.dealer WHERE p.id = $1
FOR NO KEY UPDATE OF p
"""


async def _lock_point(connection, point_id: int) -> dict:
    """The pickup point, row-locked until the order commits: orders for one point take their
    capacity one at a time, so two cannot both get a day's last slot. (NO KEY UPDATE: the lock
    still lets other rows reference the point.)"""
    row = await connection.fetchrow(_POINT, point_id)
    if row is None or not row["open"]:
        raise Invalid(f"no open pickup point {point_id}", "pickup_point_id")
    point = dict(row)
    hours = point["opening_hours"]
    point["opening_hours"] = json.loads(hours) if isinstance(hours, str) else hours
    return point


async def arrival(connection, sources: set[int], now: datetime) -> datetime:
    """When parts sent from ``sources`` are at the pickup point: the network's transfer days
    counted on each source dealer's own calendar (its closures), the latest of them; ``now`` when
    there is none (every line on the point's own shelf)."""
    if not sources:
        return now
    days = await transfer_days()
    closed = await closures_for(connection, sources)
    return max(add_working_days(now, days, closed.get(source, NO_CLOSURES)) for source in sources)


async def promised_day(connection, point: dict, sources: set[int], now: datetime) -> date | None:
    """The day an order can be promised ready at ``point`` (locked by the caller), its parts coming
    from ``sources``: prepared in the point's hours on a day its dealer is open and the point has
    room; None when no day within the horizon is."""
    today = now.astimezone(ROME).date()
    booked = (await booked_days(connection, [point["id"]], today, point["daily_capacity"])).get(point["id"], {})
    ready = promised_ready(point["opening_hours"], point["lead_time_minutes"], await arrival(connection, sources, now),
                           point["daily_capacity"], booked, await closures_of(connection, point["dealer"]))
    return None if ready is None else ready.astimezone(ROME).date()


async def _promised_for(connection, point: dict, sources: set[int], now: datetime) -> date:
    """The day the order is promised ready, by the quote's rule: prepared in the point's hours
    (after the transfer days unless every line is on the point's own shelf), on a day it has room
    for. Run under the point's lock, so the count includes every order committed before."""
    ready = await promised_day(connection, point, sources, now)
    if ready is None:
        raise Conflict(f"pickup point {point['id']} is closed or fully booked on every day for "
                       f"{CAPACITY_HORIZON_DAYS} days after the order could be ready: choose another",
                       "pickup_point_id")
    return ready


@dataclass(frozen=True, slots=True)
class PlacedOrder:
    """What the caller needs after placing: the order, its customer's link, and whether this call
    placed it (False: a retry with the same Idempotency-Key found it)."""

    id: int
    token: str
    created: bool


def wanted_quantities(request: OrderRequest) -> dict[str, int]:
    """The order's quantities per normalized part number, lines of one part summed; Invalid when
    a quantity, or a part's sum, is out of range."""
    if len(request.items) > MAX_CART_LINES:
        raise Invalid(f"an order has at most {MAX_CART_LINES} lines", "items")
    wanted: dict[str, int] = {}
    for number, quantity in request.items:
        if not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
            raise Invalid(f"{number}: the quantity must be a whole number from 1 to {MAX_QUANTITY}", "items")
        wanted[normalize_part_number(number)] = wanted.get(normalize_part_number(number), 0) + quantity
    if not wanted:
        raise Invalid("the order has no lines", "items")
    # Lines of one part (typed differently, or repeated) are one line: the cap is on their sum.
    for number, quantity in wanted.items():
        if quantity > MAX_QUANTITY:
            raise Invalid(f"{number}: at most {MAX_QUANTITY} of one part in an order ({quantity} asked in all)",
                          "items")
    return wanted


async def place_order(request: OrderRequest, idempotency_key: str | None = None, *,
                      lines: list[CartLine] | None = None, now: datetime | None = None,
                      client_ip: str | None = None) -> PlacedOrder:
    """Place an order. A retry with the same key and body gives the same order (``created`` False).
    ``lines``: the request's items already read and priced (the shop's cart view, the API's
    ``quotes.cart_lines``), so the parts are not read again; read here when not given.
    ``now``: the moment the promised day is counted from (tests set it; records keep the clock's time);
    ``client_ip``: where the request came from, counted against the orders one address may place.
    The order is **unconfirmed**: it holds its stock for the network's ``order_confirm_minutes``
    until the customer confirms it by the emailed link (lifecycle.confirm_order); its store is told then."""
    _check_customer(request.customer)
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= 200:
        raise Invalid("an Idempotency-Key has 1 to 200 characters", "Idempotency-Key")
    fingerprint = request.fingerprint()
    email = request.customer.email.strip().lower()
    if idempotency_key and (found := await _replay(email, idempotency_key, fingerprint)):
        return found
    wanted = wanted_quantities(request)
    if lines is None:
        lines = await cart_lines(wanted)
    elif {normalize_part_number(line.part_number): line.quantity for line in lines} != wanted:
        raise ValueError("the priced lines are not the request's items")  # a caller's mistake, not the customer's
    owner = await owner_of(postal_code=request.customer.postal_code.strip())
    rules = (await directory()).rules
    placed_at = datetime.now(timezone.utc)
    token = new_token(24)  # the customer's link, answered to the caller
    try:
        async with CustomerOrder._meta.db.transaction() as tx:
            connection = tx.connection
            await check_order_rate(connection, email, client_ip, placed_at)
            await check_history(connection, email, placed_at)
            await check_share(connection, email, client_ip, lines, rules.customer_share_pct)
            point = await _lock_point(connection, request.pickup_point_id)  # then the point, then the stock
            sources = {}
            for line in sorted(lines, key=lambda l: l.part_id):  # one lock order for every order
                sources[line.part_id] = await _reserve_line(connection, line, point, owner.dealer_id if owner else None)
            away = {source for source, _ in sources.values() if source != point["dealer"]}
            promised_for = await _promised_for(connection, point, away, now or placed_at)
            order_id = (await CustomerOrder.insert(CustomerOrder(
                pickup_point=point["id"], territory_owner=owner.dealer_id if owner else None,
                customer_name=request.customer.name.strip(), customer_email=email,
                customer_phone=request.customer.phone.strip()[:40], customer_postal_code=request.customer.postal_code.strip(),
                pickup_code=new_pickup_code(), token=token, total=sum(l.unit_price * l.quantity for l in lines),
                idempotency_key=idempotency_key, request_fingerprint=fingerprint, promised_for=promised_for,
                placed_from=client_ip[:64] if client_ip else None, status=OrderStatus.unconfirmed,
                confirm_token=new_token(24), confirm_by=placed_at + timedelta(minutes=rules.order_confirm_minutes),
            )).returning(CustomerOrder.id))[0]["id"]
            for line in lines:
                source, transfer_price = sources[line.part_id]
                transfer_id = None
                if source != point["dealer"]:
                    # The units travel to the pickup point's dealer: a transfer the source accepts
                    # once the customer confirms (acceptance.offer_lines sets its deadline then).
                    transfer_id = await insert_transfer(
                        connection, requester=point["dealer"], supplier=source, part=line.part_id,
                        quantity=line.quantity, unit_price=transfer_price, status=TransferStatus.requested,
                        note=f"for click-and-collect order {order_id}", at=placed_at,
                        expires_at=placed_at + timedelta(minutes=rules.order_confirm_minutes),
                    )
                await OrderLine.insert(OrderLine(order=order_id, part=line.part_id, quantity=line.quantity,
                                                 unit_price=line.unit_price, source_dealer=source, transfer=transfer_id))
            # The customer's mail carries the confirmation link; the store hears of it once confirmed.
            await emit("order.placed", {"order_id": order_id, "to": "customer"})
    except asyncpg.UniqueViolationError:
        found = await _replay(email, idempotency_key or "", fingerprint)
        if found is None:  # pragma: no cover
            raise Conflict("an order with this Idempotency-Key is in progress: retry", "Idempotency-Key")
        return found
    return PlacedOrder(order_id, token, True)


async def _replay(email: str, key: str, fingerprint: str) -> PlacedOrder | None:
    """The order this customer placed with this key (keys are the customer's own: another
    customer's same key is another order)."""
    row = await CustomerOrder.select(CustomerOrder.id, CustomerOrder.token, CustomerOrder.request_fingerprint).where(
        (CustomerOrder.customer_email == email) & (CustomerOrder.idempotency_key == key)).first()
    if row is None:
        return None
    if row["request_fingerprint"] != fingerprint:
        raise Invalid("this Idempotency-Key was used for another order", "Idempotency-Key")
    return PlacedOrder(row["id"], row["token"], False)


async def get_order(order_id: int) -> dict:
    order = await CustomerOrder.select(
        CustomerOrder.id, CustomerOrder.status, CustomerOrder.pickup_code, CustomerOrder.pickup_point,
        CustomerOrder.territory_owner.code.as_alias("territory_owner"), CustomerOrder.total, CustomerOrder.token,
        CustomerOrder.promised_for,
    ).where(CustomerOrder.id == order_id).first()
    order["lines"] = await OrderLine.select(
        OrderLine.part.part_number.as_alias("part_number"), OrderLine.quantity,
        OrderLine.source_dealer.code.as_alias("source_dealer"), OrderLine.unit_price,
    ).where(OrderLine.order == order_id).order_by(OrderLine.id)
    return order
