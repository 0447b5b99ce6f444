"""Geocoding behind geopy's interface: an offline gazetteer geocoder, or Nominatim with a cache."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cache
from math import cos, radians
from typing import Any

import anyio.to_thread
import numpy as np
import shapely
from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim
from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

from marketplace.geo.distance import haversine_km_many
from marketplace.geo.gazetteer import Comune, PostalPlace, get_gazetteer
from marketplace.settings import get_settings

logger = logging.getLogger(__name__)

#: How long an address the online geocoder could not find stays unasked.
MISS_TTL = timedelta(days=30)

_CAP = re.compile(r"(?<!\d)\d{5}(?!\d)")
# "Milano MI", "Milano (MI)", "Milano - MI"; never "Romano" as Roma in NO.
_WITH_PROVINCE = re.compile(r"(.+?)(?:\s*\(\s*([A-Za-z]{2})\s*\)|[\s-]+([A-Za-z]{2}))")
_COUNTRY = frozenset({"italia", "italy", "it"})
# Planar nearest-neighbour on lon/lat overweights east-west distance; scaling lon by Italy's middle
# latitude keeps the planar order within ~10% of the true one, and candidates are re-ranked anyway.
_LON_SCALE = cos(radians(42.0))
_KM_PER_DEG = 111.2


class OfflineGeocoder(Geocoder):
    """A geopy geocoder over the bundled gazetteer: no network, microseconds a query.

    ``geocode`` takes the CAP anywhere in the query, else a comune name from its comma-separated
    parts; ``reverse`` gives the nearest comune. Every ``Location.raw`` has ``postal_code``,
    ``comune``, ``province_code``, ``region`` and ``source="offline"``.
    """

    #: ``reverse`` finds nothing farther than this from every comune's point (open sea, abroad).
    reverse_max_km = 50.0

    def geocode(
        self, query: str | dict[str, Any], *, exactly_one: bool = True, **kw: Any
    ) -> Location | list[Location] | None:
        """Locate an Italian address; the CAP centroid beats the comune."""
        if isinstance(query, dict):  # geopy's structured queries
            query = ", ".join(str(value) for value in query.values())
        gazetteer = get_gazetteer()
        # The last CAP: the street part comes first, and may hold numbers too.
        for code in reversed(_CAP.findall(query)):
            if place := gazetteer.postal_code(code):
                location = _postal_location(place)
                return location if exactly_one else [location]
        comuni = _match_comuni(query)
        if not comuni:
            return None
        return _comune_location(comuni[0]) if exactly_one else [_comune_location(c) for c in comuni]

    def reverse(
        self, query: Any, *, exactly_one: bool = True, limit: int = 5, **kw: Any
    ) -> Location | list[Location] | None:
        """The nearest comune to a point ("lat, lon", a (lat, lon) pair or a geopy Point).

        With ``exactly_one=False``, up to ``limit`` comuni, nearest first.
        """
        point = Point(query)
        count = 1 if exactly_one else limit
        found = _nearest_comuni(point.latitude, point.longitude, count, self.reverse_max_km)
        if not found:
            return None
        locations = [_comune_location(comune, distance_km=km) for comune, km in found]
        return locations[0] if exactly_one else locations


def make_geocoder(kind: str, user_agent: str) -> Geocoder:
    """The geocoder a ``MARKETPLACE_GEOCODER`` value names: "offline" or "nominatim"."""
    match kind.strip().lower():
        case "offline":
            return OfflineGeocoder()
        case "nominatim":
            return Nominatim(user_agent=user_agent)
        case _:
            raise ValueError(f"unknown geocoder {kind!r}: expected 'offline' or 'nominatim'")


@dataclass(frozen=True, slots=True)
class GeoPoint:
    """Where an address is, and which CAP, comune and province that is (None when unknown)."""

    lat: float
    lon: float
    postal_code: str | None
    comune: str | None
    province_code: str | None
    source: str


async def geocode_address(
    address: str, postal_code: str, city: str, province: str = ""
) -> GeoPoint | None:
    """Geocode an Italian address with the configured geocoder.

    Online answers are kept in :class:`~marketplace.geo.tables.GeocodeCache` (misses for
    :data:`MISS_TTL`). When the online geocoder is down or finds nothing, the offline gazetteer
    gives the CAP's (or the comune's) point instead, with ``source="offline"``.
    """
    query = build_query(address, postal_code, city, province)
    settings = get_settings()
    provider = settings.geocoder.strip().lower()
    if provider == "offline":
        return _offline_point(query)

    from marketplace.geo.tables import GeocodeCache  # the offline path needs no database

    key = query.casefold()[:500]
    row = await (
        GeocodeCache.select(GeocodeCache.lat, GeocodeCache.lon, GeocodeCache.created_at)
        .where((GeocodeCache.provider == provider) & (GeocodeCache.query == key))
        .first()
    )
    # Found places are kept for good (addresses do not move); misses get asked again later.
    miss_cutoff = datetime.now(timezone.utc) - MISS_TTL
    if row is not None and (row["lat"] is not None or row["created_at"] > miss_cutoff):
        lat, lon = row["lat"], row["lon"]
    else:
        geocode = _online_geocode(provider, settings.nominatim_user_agent)
        try:
            location = await anyio.to_thread.run_sync(geocode, query)
        except GeopyError as exc:
            # Not cached: the service may be back for the next dealer.
            logger.warning("geocoder %s failed for %r (%s): using the gazetteer", provider, query, exc)
            return _offline_point(query)
        lat, lon = (location.latitude, location.longitude) if location else (None, None)
        address_found = location.address if location else ""
        await (
            GeocodeCache.insert(
                GeocodeCache(provider=provider, query=key, lat=lat, lon=lon, address=address_found)
            )
            # A concurrent request may have stored the same query: the newer answer wins.
            .on_conflict(
                target=(GeocodeCache.provider, GeocodeCache.query),
                action="DO UPDATE",
                values=[GeocodeCache.lat, GeocodeCache.lon, GeocodeCache.address, GeocodeCache.created_at],
            )
        )
    if lat is None:
        return _offline_point(query)
    return _describe(lat, lon, postal_code, city, province, source=provider)


def build_query(address: str, postal_code: str, city: str, province: str = "") -> str:
    """The one-line query for an address: "address, CAP city province, Italia"."""
    place = " ".join(part.strip() for part in (postal_code, city, province) if part.strip())
    return ", ".join(" ".join(part.split()) for part in (address, place, "Italia") if part.strip())


@cache
def _online_geocode(provider: str, user_agent: str) -> Callable[[str], Location | None]:
    """One geocoder per process, so the rate limit holds across requests."""
    geocoder = make_geocoder(provider, user_agent)
    # Nominatim's usage policy: at most one request a second. Errors are not retried here, so a
    # request never waits on a failing service; the offline fallback answers instead.
    return RateLimiter(geocoder.geocode, min_delay_seconds=1.0, max_retries=0, swallow_exceptions=False)


def _offline_point(query: str) -> GeoPoint | None:
    location = OfflineGeocoder().geocode(query)
    if location is None:
        return None
    raw = location.raw
    return GeoPoint(
        lat=location.latitude,
        lon=location.longitude,
        postal_code=raw["postal_code"],
        comune=raw["comune"],
        province_code=raw["province_code"],
        source="offline",
    )


def _describe(
    lat: float, lon: float, postal_code: str, city: str, province: str, *, source: str
) -> GeoPoint:
    """An online answer, named from the gazetteer: online geocoders name places their own way."""
    gazetteer = get_gazetteer()
    area = gazetteer.locate(lat, lon)
    province_code = area.province_code if area else (province.strip().upper() or None)
    comune = gazetteer.comune(city, province_code) if city.strip() else None
    return GeoPoint(
        lat=lat,
        lon=lon,
        postal_code=postal_code.strip() if gazetteer.is_postal_code(postal_code) else None,
        comune=comune.name if comune else None,
        province_code=province_code,
        source=source,
    )


def _match_comuni(query: str) -> list[Comune]:
    """The comuni a query names, best first; its last comma-separated parts are tried first."""
    parts = [_CAP.sub(" ", part).strip() for part in query.split(",")]
    parts = [part for part in reversed(parts) if part and part.casefold() not in _COUNTRY]
    # A part that is only a province code ("Calliano, TN") says which of same-named comuni.
    province = next((p.upper() for p in parts if p.upper() in _province_codes()), None)
    for part in parts:
        if found := _comuni_in(part, province):
            return found
    # No part is just a place: try the tail words of each ("Via Roma 1 Torino").
    for part in parts:
        words = part.split()
        for start in range(1, len(words)):
            if found := _comuni_in(" ".join(words[start:]), province):
                return found
    return []


def _comuni_in(text: str, province: str | None) -> list[Comune]:
    gazetteer = get_gazetteer()
    found = gazetteer.comuni_named(text)
    if not found and (match := _WITH_PROVINCE.fullmatch(text)):
        code = (match[2] or match[3]).upper()
        if code in _province_codes():
            found, province = gazetteer.comuni_named(match[1]), code
    # Stable sort: the given province first, each group still most populous first.
    return sorted(found, key=lambda c: c.province_code != province)


@cache
def _province_codes() -> frozenset[str]:
    return frozenset(area.province_code for area, _ in get_gazetteer().provinces)


@cache
def _comune_index() -> tuple[shapely.STRtree, np.ndarray, np.ndarray, tuple[Comune, ...]]:
    comuni = get_gazetteer().comuni()
    lats = np.array([c.lat for c in comuni])
    lons = np.array([c.lon for c in comuni])
    return shapely.STRtree(shapely.points(lons * _LON_SCALE, lats)), lats, lons, comuni


def _nearest_comuni(lat: float, lon: float, limit: int, max_km: float) -> list[tuple[Comune, float]]:
    tree, lats, lons, comuni = _comune_index()
    point = shapely.Point(lon * _LON_SCALE, lat)
    max_deg = max_km / _KM_PER_DEG
    if limit == 1:
        nearest = tree.query_nearest(point, max_distance=max_deg * 1.1)
        if nearest.size == 0:
            return []
        # The planar nearest is close to the true one: re-rank what lies just beyond it.
        window = shapely.distance(point, tree.geometries[nearest[0]]) * 1.15 + 1e-9
    else:
        window = max_deg * 1.1
    candidates = tree.query(point, predicate="dwithin", distance=window)
    km = haversine_km_many(lat, lon, lats[candidates], lons[candidates])
    order = np.argsort(km, kind="stable")[:limit]
    return [(comuni[candidates[i]], float(km[i])) for i in order if km[i] <= max_km]


def _postal_location(place: PostalPlace) -> Location:
    raw = {
        "postal_code": place.postal_code,
        "place": place.place,
        "comune": place.comune,
        "province_code": place.province_code,
        "region": place.region,
        "match": "postal_code",
        "source": "offline",
    }
    address = f"{place.postal_code} {place.place} ({place.province_code}), {place.region}, Italia"
    return Location(address, Point(place.lat, place.lon), raw)


def _comune_location(comune: Comune, *, distance_km: float | None = None) -> Location:
    raw = {
        # A city with several CAPs has no one CAP.
        "postal_code": comune.postal_codes[0] if len(comune.postal_codes) == 1 else None,
        "comune": comune.name,
        "istat_code": comune.istat_code,
        "province_code": comune.province_code,
        "region": comune.region,
        "match": "comune",
        "source": "offline",
    }
    if distance_km is not None:
        raw["distance_km"] = round(distance_km, 3)
    address = f"{comune.name} ({comune.province_code}), {comune.region}, Italia"
    return Location(address, Point(comune.lat, comune.lon), raw)
