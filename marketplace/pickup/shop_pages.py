"""The public shop's pages: search, product, cart and checkout, the customer's order."""

from __future__ import annotations

import secrets

import segno
from litestar import Controller, Request, Response, get, post
from litestar.response import Template

from marketplace.accounts.auth import PUBLIC
from marketplace.errors import Conflict, DomainError, Forbidden, Invalid, TooManyAttempts
from marketplace.inventory.normalize import normalize_part_number
from marketplace.pagination import page_number
from marketplace.pickup.lifecycle import cancel, confirm_order
from marketplace.pickup.order_views import order_for_customer, order_to_confirm
from marketplace.pickup.orders import Customer, OrderRequest, place_order
from marketplace.pickup.quotes import CartLine, customer_place, quote
from marketplace.pickup.storefront import (
    MAX_CART_LINES,
    MAX_QUANTITY,
    Cart,
    cart_view,
    network_available,
    search_shop,
    shop_part,
)
from marketplace.web.client import client_address
from marketplace.web.forms import form_fields
from marketplace.web.i18n import gettext_for
from marketplace.web.render import language_of, page
from marketplace.web.security_headers import NO_STORE
from marketplace.web.urls import redirect_to

CART_COOKIE = "mk_cart"
PLACE_COOKIE = "mk_cap"  # the postal code the customer last gave: the next page quotes near it
COOKIE_DAYS = 30

# A customer reads these in their language; the API keeps the precise English message.
_FIELD_MESSAGES = {
    "postal_code": "This is not an Italian postal code (CAP).",
    "customer.postal_code": "This is not an Italian postal code (CAP).",
    "customer.name": "Please give your name.",
    "customer.email": "Please give a valid email address.",
    "customer.phone": "A phone number has digits, spaces and + ( ) . / - only.",
    "pickup_point_id": "Choose a pickup point from the list.",
    "quantity": "Choose a quantity from 1 to 99.",
    "cart": "A cart holds at most 20 different parts: order these first, or remove some.",
}


# The checkout form's names for the order's fields.
_FORM_FIELDS = {"customer.name": "name", "customer.email": "email", "customer.postal_code": "customer_postal_code",
                "customer.phone": "phone"}


def _errors(request: Request, error: DomainError | None) -> dict[str, str]:
    if error is None:
        return {}
    _ = gettext_for(language_of(request))
    field = error.field or "form"
    if isinstance(error, TooManyAttempts):
        return {"form": _("You have placed many orders in a short time: please call the store, or try again later.")}
    if isinstance(error, Forbidden) and error.extra.get("reason") == "uncollected":
        return {"form": _("Two of your orders in the last 90 days were not collected: online orders with this email "
                          "address are closed. Please order by calling or visiting a store.")}
    if isinstance(error, Conflict) and field == "status":
        return {"form": _("This order can no longer be confirmed: it was not confirmed in time, or it was cancelled. "
                          "You can order again.")}
    if isinstance(error, Conflict) and "share_limit" in error.extra:
        return {"form": _("%(part)s: you can order at most %(most)s more, so that the network's stock stays "
                          "available to other customers too. Lower the quantity.",
                          part=error.extra["part_number"], most=error.extra["share_limit"])}
    if isinstance(error, Conflict) and "available" in error.extra:
        return {"form": _("%(part)s: only %(available)s available in the network right now. Lower the quantity "
                          "or remove it.", part=error.extra["part_number"], available=error.extra["available"])}
    if field in _FIELD_MESSAGES:
        return {_FORM_FIELDS.get(field, field): _(_FIELD_MESSAGES[field])}
    return {"form": _(error.message)}


def _cart(request: Request) -> Cart:
    return Cart.from_cookie(request.cookies.get(CART_COOKIE))


def _keep(response: Response, cart: Cart | None = None, postal_code: str | None = None) -> Response:
    age = COOKIE_DAYS * 86400
    if cart is not None:
        if cart:
            response.set_cookie(CART_COOKIE, cart.cookie(), max_age=age, httponly=True, samesite="lax")
        else:
            response.delete_cookie(CART_COOKIE)
    if postal_code:
        response.set_cookie(PLACE_COOKIE, postal_code, max_age=age, httponly=True, samesite="lax")
    return response


async def _near(lines: list[dict], place: tuple[float, float, str | None] | None):
    """Pickup points near the customer for the shop's lines (parts on sale, priced), and the
    recommended one. The lines are already read and priced: no second trip to the catalog."""
    if place is None or not lines:
        return [], None
    return await quote(_priced(lines), *place)


def _priced(lines: list[dict]) -> list[CartLine]:
    """The shop's lines (parts on sale, priced by the cart view) as the quote and the order take them."""
    return [CartLine(line["id"], line["part_number"], line["quantity"], line["price"]) for line in lines]


FIRST_POINTS = 8


def _first_points(points: list, recommended: int | None) -> tuple[list, list]:
    """The nearest few stores, the recommended one always among them; the rest behind "more"."""
    first = points[:FIRST_POINTS]
    if recommended is not None and all(p.pickup_point_id != recommended for p in first):
        first = [p for p in points if p.pickup_point_id == recommended] + first[:FIRST_POINTS - 1]
    shown = {p.pickup_point_id for p in first}
    return first, [p for p in points if p.pickup_point_id not in shown]


def _place(postal_code: str | None, lat: str | None, lon: str | None) -> tuple[float, float, str | None] | None:
    """Where the customer is: a postal code, or a shared position; None when not given yet."""
    if postal_code and postal_code.strip():
        return customer_place(postal_code, None, None)
    if lat and lon:
        try:
            return customer_place(None, float(lat), float(lon))
        except ValueError:
            raise Invalid("the position is not a pair of numbers", "postal_code") from None
    return None


class ShopPages(Controller):
    """Open to everyone: a customer needs no account to buy and collect."""

    path = "/shop"
    opt = PUBLIC
    include_in_schema = False

    @get("/")
    async def index(self, request: Request, q: str = "", page: str | None = None) -> Template:
        result, replaced = await search_shop(q[:200], page_number(page))
        return self._page(request, "shop/index.html", q=q, result=result, replaced=replaced)

    def _page(self, request: Request, template: str, **context) -> Template:
        return page(request, template, cart_count=len(_cart(request).items), **context)

    @get("/parts/{number:str}", name="shop:part")
    async def part(self, request: Request, number: str, postal_code: str | None = None) -> Response:
        return await self._part_page(request, number, postal_code)

    async def _part_page(self, request: Request, number: str, postal_code: str | None,
                         error: DomainError | None = None) -> Response:
        part = await shop_part(number)
        if part["normalized"] != normalize_part_number(number):
            return redirect_to(request, "shop:part", status_code=301, number=part["normalized"])
        postal_code = (postal_code or request.cookies.get(PLACE_COOKIE) or "").strip()
        points, recommended = [], None
        try:
            points, recommended = await _near([{**part, "quantity": 1}], _place(postal_code, None, None))
        except DomainError as exc:
            error = error or exc
        response = self._page(request, "shop/part.html", status_code=error.status_code if error else 200, part=part,
                              postal_code=postal_code, points=points[:5], recommended=recommended,
                              errors=_errors(request, error), max_quantity=MAX_QUANTITY)
        return _keep(response, postal_code=postal_code if points else None)

    @post("/cart")
    async def change_cart(self, request: Request) -> Response:
        """Add a part (``add``) or set a line's quantity (0 removes it)."""
        form = await form_fields(request)
        number = normalize_part_number(form.get("part_number", ""))
        try:
            quantity = int(form.get("quantity", "1"))
        except ValueError:
            quantity = -1
        adding = form.get("action") == "add"
        if not (1 if adding else 0) <= quantity <= MAX_QUANTITY:
            error = Invalid("choose a quantity from 1 to 99", "quantity")
            if adding:
                return await self._part_page(request, number, None, error)
            return await self._cart_page(request, {"postal_code": request.cookies.get(PLACE_COOKIE) or ""}, error)
        cart = _cart(request)
        if adding and number not in cart.items and len(cart.items) >= MAX_CART_LINES:
            return await self._cart_page(request, {"postal_code": request.cookies.get(PLACE_COOKIE) or ""},
                                         Invalid("a cart holds at most 20 different parts", "cart"))
        if adding:
            await shop_part(number)  # a part not on sale is refused (404), not put in the cart
            quantity = min(cart.items.get(number, 0) + quantity, MAX_QUANTITY)
        return _keep(redirect_to(request, "shop:cart"), cart=cart.with_quantity(number, quantity))

    @get("/cart", name="shop:cart")
    async def cart(self, request: Request, postal_code: str | None = None, lat: str | None = None,
                   lon: str | None = None) -> Response:
        if postal_code is None and not (lat and lon):
            postal_code = request.cookies.get(PLACE_COOKIE)
        return await self._cart_page(request, {"postal_code": postal_code or "", "lat": lat or "", "lon": lon or ""})

    async def _cart_page(self, request: Request, values: dict, error: DomainError | None = None) -> Response:
        cart = _cart(request)
        lines, total, gone = await cart_view(cart)
        points, recommended, where_error = [], None, None
        try:
            points, recommended = await _near(lines, _place(values.get("postal_code"), values.get("lat"),
                                                            values.get("lon")))
        except DomainError as exc:
            where_error = exc
        shown = error or where_error
        values.setdefault("customer_postal_code", values.get("postal_code", ""))
        values.setdefault("pickup_point_id", str(recommended or ""))
        if values.get("postal_code") or values.get("lat"):
            # Said next to the line when the network cannot fill it, rather than "no store near you".
            available = await network_available([line["id"] for line in lines])
            for line in lines:
                line["available"] = available.get(line["id"], 0)
        first, more = _first_points(points, recommended)
        response = self._page(
            request, "shop/cart.html", status_code=shown.status_code if shown else 200, lines=lines, total=total,
            gone=gone, points=first, more_points=more, recommended=recommended, values=values,
            errors=_errors(request, shown),
            idempotency_key=values.get("idempotency_key") or secrets.token_urlsafe(18),
            asked=bool(values.get("postal_code") or values.get("lat")),
        )
        # Lines no longer on sale leave the cart once the customer has been told.
        kept = Cart({n: q for n, q in cart.items.items() if n not in gone}) if gone else None
        return _keep(response, cart=kept, postal_code=values.get("postal_code") if points else None)

    @post("/checkout")
    async def checkout(self, request: Request) -> Response:
        form = await form_fields(request)
        lines, _, _ = await cart_view(_cart(request))  # only what is still on sale
        cart = Cart({line["normalized"]: line["quantity"] for line in lines})
        try:
            if not cart:
                raise Invalid("Your cart is empty.", "form")
            point = form.get("pickup_point_id", "")
            if not (point.isascii() and point.isdecimal() and int(point) < 2**31):
                raise Invalid("choose a pickup point", "pickup_point_id")
            placed = await place_order(OrderRequest(
                Customer(form.get("name", ""), form.get("email", ""), form.get("phone", ""),
                         form.get("customer_postal_code", "")),
                tuple(cart.items.items()), int(point),
            ), form.get("idempotency_key") or None, lines=_priced(lines), client_ip=client_address(request))
        except DomainError as error:
            return await self._cart_page(request, form, error)
        return _keep(redirect_to(request, "shop:order", token=placed.token), cart=Cart({}))

    @get("/orders/{token:str}", name="shop:order", opt=NO_STORE)
    async def order(self, request: Request, token: str) -> Template:
        order = await order_for_customer(token)
        qr = segno.make(order["pickup_code"], error="m").svg_inline(scale=6, border=2)
        return self._page(request, "shop/order.html", order=order, qr=qr)

    @get("/confirm/{confirm_token:str}", name="shop:confirm", opt=NO_STORE)
    async def confirm_page(self, request: Request, confirm_token: str) -> Template:
        """The page the confirmation mail links to: a button, so a mail scanner opening the link
        does not confirm the order by itself."""
        return await self._confirm_page(request, confirm_token)

    async def _confirm_page(self, request: Request, confirm_token: str, error: DomainError | None = None) -> Template:
        order = await order_to_confirm(confirm_token)
        return self._page(request, "shop/confirm.html", status_code=error.status_code if error else 200, order=order,
                          confirm_token=confirm_token, errors=_errors(request, error))

    @post("/confirm/{confirm_token:str}")
    async def confirm(self, request: Request, confirm_token: str) -> Response:
        try:
            token = await confirm_order(confirm_token)
        except Conflict as error:
            return await self._confirm_page(request, confirm_token, error)
        return redirect_to(request, "shop:order", token=token)

    @post("/orders/{token:str}/cancel")
    async def cancel(self, request: Request, token: str) -> Response:
        order = await order_for_customer(token)
        try:
            await cancel(None, order["id"])
        except Conflict:
            pass  # already ready or closed: the page shows what it is now
        return redirect_to(request, "shop:order", token=token)

