"""JSON API for the storefront: where and when a cart can be collected (public)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from marketplace.accounts.auth import PUBLIC, dealer_admin_or_manager, manager_only, signed_in
from marketplace.db import raw_connection
from marketplace.errors import Forbidden, Invalid
from marketplace.pickup.acceptance import accept_lines, offers_for
from marketplace.pickup.lifecycle import cancel, collect, mark_ready, unlock_code
from marketplace.pickup.orders import Customer, OrderRequest, get_order, place_order, wanted_quantities
from marketplace.pickup.quotes import DEFAULT_RADIUS_KM, cart_lines, customer_place, parse_cart, quote
from marketplace.pickup.schemas import (
    AcceptedOut,
    CodeIn,
    OfferOut,
    OrderIn,
    OrderLineOut,
    OrderOut,
    QuotedPointOut,
    QuoteOut,
    StaffOrderOut,
)
from marketplace.web.client import client_address


class PickupApi(Controller):
    path = "/api/v1/pickup"
    tags = ["click and collect"]

    @get("/quote", opt=PUBLIC)
    async def quote(self, items: str, postal_code: str | None = None, lat: float | None = None,
                    lon: float | None = None, radius_km: float = DEFAULT_RADIUS_KM) -> QuoteOut:
        """Pickup points within ``radius_km`` of the customer, nearest first, each with when the whole
        cart (``PARTNO:QTY,...``) can be ready there; ``recommended`` is the one to offer first."""
        if not 0 < radius_km <= 500:
            raise Invalid("the radius must be between 0 and 500 km", "radius_km")
        lines = await parse_cart(items)
        where = customer_place(postal_code, lat, lon)
        points, recommended = await quote(lines, *where, radius_km=radius_km)
        return QuoteOut(
            points=[QuotedPointOut(p.pickup_point_id, p.dealer_code, p.name, p.city, p.distance_km, p.ready_today,
                                   p.ready_by) for p in points],
            recommended=recommended,
        )


class OrderApi(Controller):
    path = "/api/v1/orders"
    tags = ["click and collect"]

    @post("/", opt=PUBLIC, status_code=HTTP_201_CREATED)
    async def place(self, request: Request, data: OrderIn,
                    idempotency_key: Annotated[str | None, Parameter(header="Idempotency-Key")] = None) -> Response[OrderOut]:
        """Place an order to collect at a pickup point (paid at the counter): every line is reserved at
        its source at once (201), or nothing is and the answer names the line (409). Send an
        ``Idempotency-Key``: a retry with the same key and body answers 200 with the same order.
        The order is ``unconfirmed`` until the customer opens the link mailed to them (within the
        network's confirmation minutes, else it expires); 409 with ``share_limit`` when the customer
        would hold more than the network's share of a part; 403 when two of the customer's orders
        went uncollected in 90 days."""
        wanted = OrderRequest(
            Customer(data.customer.name, data.customer.email, data.customer.phone, data.customer.postal_code),
            tuple((item.part_number, item.quantity) for item in data.items), data.pickup_point_id,
        )
        lines = await cart_lines(wanted_quantities(wanted))
        placed = await place_order(wanted, idempotency_key, lines=lines, client_ip=client_address(request))
        return Response(await _order_out(placed.id), status_code=HTTP_201_CREATED if placed.created else HTTP_200_OK)


async def _staff_out(order_id: int) -> StaffOrderOut:
    customer = await _order_out(order_id)
    return StaffOrderOut(**{name: getattr(customer, name) for name in StaffOrderOut.__struct_fields__})


async def _order_out(order_id: int) -> OrderOut:
    order = await get_order(order_id)
    return OrderOut(
        id=order["id"], status=order["status"], pickup_code=order["pickup_code"], pickup_point_id=order["pickup_point"],
        territory_owner=order["territory_owner"], lines=[OrderLineOut(**line) for line in order["lines"]],
        total=order["total"], promised_for=order["promised_for"],
    )


class OrderActionsApi(Controller):
    """The pickup point's staff act on its orders (managers on any)."""

    path = "/api/v1/orders/{order_id:int}"
    guards = [signed_in]
    tags = ["click and collect"]

    @post("/ready", status_code=HTTP_200_OK)
    async def ready(self, request: Request, order_id: int) -> StaffOrderOut:
        """Every line is on the shelf (transfers received): the hold period starts."""
        await mark_ready(request.user, order_id)
        return await _staff_out(order_id)

    @post("/collect", status_code=HTTP_200_OK)
    async def collect(self, request: Request, order_id: int, data: CodeIn) -> StaffOrderOut:
        """The customer's code (and the amount taken, if given: it must be the total); a wrong code
        is 422, and after 5 the order is locked (429)."""
        await collect(request.user, order_id, data.pickup_code, data.amount)
        return await _staff_out(order_id)

    @post("/unlock", status_code=HTTP_200_OK, guards=[manager_only])
    async def unlock(self, request: Request, order_id: int) -> StaffOrderOut:
        """Network managers only: after 5 wrong codes, let the store try again."""
        await unlock_code(request.user, order_id)
        return await _staff_out(order_id)

    @post("/cancel", status_code=HTTP_200_OK, guards=[dealer_admin_or_manager])
    async def cancel(self, request: Request, order_id: int) -> StaffOrderOut:
        """Cancel before collection (a dealer's admins or the network); the reservations are released."""
        await cancel(request.user, order_id)
        return await _staff_out(order_id)


class OrderOffersApi(Controller):
    """A source dealer's side of online orders: the lines offered to it, and accepting them."""

    path = "/api/v1/orders"
    guards = [signed_in]
    tags = ["click and collect"]

    @get("/offered")
    async def offered(self, request: Request) -> list[OfferOut]:
        """Orders' lines waiting for the calling dealer's acceptance, the most urgent first. A line
        not accepted by ``accept_by`` (working minutes on the dealer's calendar) passes to another dealer."""
        if not request.user.is_dealer:
            raise Forbidden("a dealer's offers: use a dealer key", "dealer")
        async with raw_connection() as connection:
            return [OfferOut.of(offer) for offer in await offers_for(connection, request.user.dealer_id)]

    @post("/{order_id:int}/lines/accept", status_code=HTTP_200_OK)
    async def accept(self, request: Request, order_id: int) -> AcceptedOut:
        """Accept every line of the order offered to the calling dealer (it then ships them to the
        pickup point by transfer): 404 when none was offered to it, 409 when too late (passed over)."""
        return AcceptedOut(order_id=order_id, accepted_lines=await accept_lines(request.user, order_id))
