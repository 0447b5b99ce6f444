"""JSON API for the storefront: where and when a cart can be collected (public)."""

from __future__ import annotations

from datetime import date

import msgspec
from litestar import Controller, get

from marketplace.accounts.auth import PUBLIC
from marketplace.errors import Invalid
from marketplace.pickup.quotes import DEFAULT_RADIUS_KM, customer_place, parse_cart, quote


class QuotedPointOut(msgspec.Struct):
    pickup_point_id: int
    dealer_code: str
    name: str
    city: str
    distance_km: float
    ready_today: bool
    ready_by: date


class QuoteOut(msgspec.Struct):
    points: list[QuotedPointOut]
    recommended: int | None


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
