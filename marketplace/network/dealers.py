"""The dealer directory: validation, placement on the map, listing."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime

from marketplace.accounts.api_keys import forget_keys
from marketplace.accounts.principal import Principal
from marketplace.errors import Conflict, Forbidden, Invalid, NotFound
from marketplace.geo.gazetteer import get_gazetteer
from marketplace.geo.geocoder import geocode_address
from marketplace.network.directory import forget as forget_directory
from marketplace.network.tables import Dealer, Tier
from marketplace.pagination import PER_PAGE, Page

_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,15}$")


@dataclass(frozen=True, slots=True)
class DealerInput:
    code: str
    name: str
    postal_code: str
    address: str = ""
    city: str = ""
    province: str = ""
    lat: float | None = None
    lon: float | None = None
    tier: str = Tier.urban.value
    is_central_warehouse: bool = False
    phone: str = ""


async def _validated(data: DealerInput) -> DealerInput:
    code = data.code.strip().upper()
    if not _CODE.match(code):
        raise Invalid("2-16 letters, digits, dashes or underscores", "code")
    name = data.name.strip()
    if not name or len(name) > 200:
        raise Invalid("a name of 1-200 characters is needed", "name")
    postal_code = data.postal_code.strip()
    place = get_gazetteer().postal_code(postal_code)
    if place is None:
        raise Invalid(f"{postal_code!r} is not an Italian postal code (CAP)", "postal_code")
    if data.tier not in Tier._value2member_map_:
        raise Invalid(f"unknown tier {data.tier!r}: use one of {', '.join(t.value for t in Tier)}", "tier")
    province = (data.province.strip() or place.province_code).upper()
    if not re.fullmatch(r"[A-Z]{2}", province):
        raise Invalid("a two-letter province code, e.g. MI", "province")
    lat, lon = data.lat, data.lon
    if (lat is None) != (lon is None):
        raise Invalid("give both coordinates or neither", "lat" if lat is None else "lon")
    if lat is not None and not (-90 <= lat <= 90):
        raise Invalid("latitude must be between -90 and 90", "lat")
    if lon is not None and not (-180 <= lon <= 180):
        raise Invalid("longitude must be between -180 and 180", "lon")
    city = data.city.strip() or place.comune
    if not re.fullmatch(r"[0-9 +()./-]{0,40}", data.phone.strip()):
        raise Invalid("a phone number: digits, spaces and + ( ) . / - only", "phone")
    if lat is None:
        point = await geocode_address(data.address.strip(), postal_code, city, province)
        if point is None:
            raise Invalid("this address could not be placed on the map: give its coordinates", "address")
        lat, lon = point.lat, point.lon
    return replace(
        data, code=code, name=name, postal_code=postal_code, address=data.address.strip()[:300],
        city=city[:120], province=province, lat=lat, lon=lon, phone=data.phone.strip(),
    )


def _values(data: DealerInput) -> dict:
    return {
        Dealer.name: data.name, Dealer.address: data.address, Dealer.postal_code: data.postal_code,
        Dealer.city: data.city, Dealer.province: data.province, Dealer.lat: data.lat, Dealer.lon: data.lon,
        Dealer.tier: data.tier, Dealer.is_central_warehouse: data.is_central_warehouse, Dealer.phone: data.phone,
    }


async def create_dealer(data: DealerInput) -> Dealer:
    data = await _validated(data)
    if await Dealer.exists().where(Dealer.code == data.code):
        raise Conflict(f"dealer code {data.code} is taken", "code")
    dealer = Dealer(code=data.code, **{column._meta.name: value for column, value in _values(data).items()})
    await dealer.save()
    forget_directory()  # searches and quotes see the new dealer (in every process: cache notices)
    return dealer


async def update_dealer(code: str, data: DealerInput) -> None:
    """Edit a dealer; its code never changes (feeds and keys refer to it)."""
    data = await _validated(replace(data, code=code))
    updated = await Dealer.update(_values(data)).where(Dealer.code == data.code).returning(Dealer.id)
    if not updated:
        raise NotFound(f"no dealer with code {code}", "code")
    forget_directory()  # its place, name and kind as searches and quotes show them


async def set_dealer_active(code: str, active: bool) -> None:
    updated = await Dealer.update({Dealer.active: active}).where(Dealer.code == code.upper()).returning(Dealer.id)
    if not updated:
        raise NotFound(f"no dealer with code {code}", "code")
    forget_keys()  # its keys stop working at once in this process
    forget_directory()


async def get_dealer(code: str) -> dict:
    row = await Dealer.select().where(Dealer.code == code.strip().upper()).first()
    if row is None:
        raise NotFound(f"no dealer with code {code}", "code")
    return row


async def dealer_id_for_code(code: str) -> int:
    return (await get_dealer(code))["id"]


async def acting_dealer(principal: Principal, dealer_code: str | None) -> int:
    """The dealer a caller acts for (whose stock it reads or publishes, whose network it searches):
    a dealer's own; for the network's callers, the one they name."""
    if principal.is_dealer:
        if dealer_code and dealer_code.strip().upper() != principal.dealer_code:
            raise Forbidden(f"a key of {principal.dealer_code} cannot act on {dealer_code.strip().upper()}'s stock",
                            "dealer")
        return principal.dealer_id
    if not principal.is_manager:  # a zone agent acts for its own dealers only, with X-Act-For
        raise Forbidden("a zone agent's key acts for one of its dealers with the header X-Act-For: CODE", "dealer")
    if not dealer_code:
        raise Invalid("a network key must name the dealer: ?dealer=CODE", "dealer")
    return await dealer_id_for_code(dealer_code)


async def record_feed(connection, dealer_id: int, received_at: datetime) -> None:
    """A feed of the dealer was applied: its stock is as fresh as ``received_at`` (on the feed's
    transaction, so the two stand or fall together)."""
    await connection.execute("UPDATE dealer SET last_feed_at = $2 WHERE id = $1", dealer_id, received_at)


async def list_dealers(q: str = "", page: int = 1, *, active_only: bool = False) -> Page[dict]:
    where = Dealer.id.is_not_null()
    if q.strip():
        term = f"%{q.strip()}%"
        where &= Dealer.code.ilike(term) | Dealer.name.ilike(term) | Dealer.city.ilike(term) | (
            Dealer.postal_code == q.strip()
        )
    if active_only:
        where &= Dealer.active.eq(True)
    total = await Dealer.count().where(where)
    rows = await Dealer.select().where(where).order_by(Dealer.code).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    return Page(items=rows, total=total, page=page)


async def active_dealers() -> list[dict]:
    return await Dealer.select(
        Dealer.code, Dealer.name, Dealer.city, Dealer.postal_code, Dealer.lat, Dealer.lon
    ).where(Dealer.active.eq(True)).order_by(Dealer.code)


async def set_dealer_tier(dealer_id: int, tier: str) -> None:
    """The dealer's tier (the incentives domain records who set it and why)."""
    if tier not in Tier._value2member_map_:
        raise Invalid(f"unknown tier {tier!r}: use one of {', '.join(t.value for t in Tier)}", "tier")
    updated = await Dealer.update({Dealer.tier: tier}).where(Dealer.id == dealer_id).returning(Dealer.id)
    if not updated:
        raise NotFound(f"no dealer {dealer_id}", "dealer")
    forget_directory()
