"""From a number plate to a VIN, through one small provider interface.

An Italian plate service answers a plate with the vehicle's VIN. Which service and its
credentials are settings (``MARKETPLACE_PLATE_PROVIDER``, ``MARKETPLACE_PLATE_USERNAME``,
``MARKETPLACE_PLATE_URL``); without them the plate box says it is not configured. An answer is kept
60 days (plate and VIN only: no owner, no other data); a provider that does not answer within
3 seconds, or fails, leaves the clerk the VIN box.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Protocol

import httpx

from marketplace.db import raw_connection
from marketplace.errors import Invalid
from marketplace.vehicles.vin import looks_like_vin, normalize_vin, vin_problem

CACHE_DAYS = 60
TIMEOUT_SECONDS = 3.0
_PLATE = re.compile(r"^[A-Z0-9]{5,8}$")
_CURRENT_PLATE = re.compile(r"^[A-HJ-NPR-TV-Z]{2}[0-9]{3}[A-HJ-NPR-TV-Z]{2}$")  # "AB123CD", since 1994


class PlateUnavailable(Exception):
    """The provider could not answer now (network, credentials, quota, a malformed answer)."""


class PlateProvider(Protocol):
    name: str

    async def vin_of(self, plate: str) -> str | None:
        """The VIN of the vehicle with this plate, None when the service knows none; PlateUnavailable
        when it cannot tell now."""


@dataclass(frozen=True, slots=True)
class PlateAnswer:
    plate: str
    status: str  # found | unknown | unavailable | not_configured
    vin: str | None = None
    cached: bool = False


def normalize_plate(text: str) -> str:
    return re.sub(r"[\s\-.]+", "", text or "").upper()


def check_plate(text: str) -> str:
    plate = normalize_plate(text)
    if not _PLATE.match(plate):
        raise Invalid("a plate has 5 to 8 letters and digits (e.g. AB123CD)", "plate")
    return plate


def looks_like_plate(text: str) -> bool:
    """What the counter's search box treats as an Italian plate: the current format, AB123CD."""
    return bool(_CURRENT_PLATE.match(normalize_plate(text))) and not re.search(r"[,;\n\t]", text or "")


class TargaCoIt:
    """targa.co.it (the Italian service of the RegCheck family): ``GET .../CheckItaly?RegistrationNumber=
    &username=`` answers XML whose ``vehicleJson`` element holds the vehicle as JSON, its VIN in ``Vin``."""

    name = "targa_co_it"
    URL = "https://www.targa.co.it/api/reg.asmx/CheckItaly"

    def __init__(self, username: str, url: str | None = None, timeout: float = TIMEOUT_SECONDS) -> None:
        self.username = username
        self.url = url or self.URL
        self.timeout = timeout

    async def vin_of(self, plate: str) -> str | None:
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.get(self.url, params={"RegistrationNumber": plate, "username": self.username})
        except httpx.HTTPError as error:
            raise PlateUnavailable(f"plate service unreachable: {type(error).__name__}") from None
        if response.status_code in (404,) or "no vehicle" in response.text[:500].lower():
            return None
        if response.status_code != 200:
            raise PlateUnavailable(f"plate service answered {response.status_code}")
        return _vin_in(response.text)


def _vin_in(text: str) -> str | None:
    """The VIN in a RegCheck XML answer (``<vehicleJson>`` JSON), None when it has none."""
    if re.search(r"<!(DOCTYPE|ENTITY)", text, re.IGNORECASE):
        raise PlateUnavailable("unexpected answer")
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        raise PlateUnavailable("the answer is not XML") from None
    element = next((e for e in root.iter() if e.tag.rsplit("}", 1)[-1] == "vehicleJson"), None)
    if element is None or not (element.text or "").strip():
        return None
    try:
        data = json.loads(element.text)
    except ValueError:
        raise PlateUnavailable("the answer's vehicleJson is not JSON") from None
    vin = next((data[key] for key in ("Vin", "VIN", "vin", "VehicleIdentificationNumber") if data.get(key)), None)
    if not vin:
        return None
    vin = normalize_vin(str(vin))
    return None if vin_problem(vin) else vin


_override: PlateProvider | None = None


def use_provider(provider: PlateProvider | None) -> None:
    """Set the provider explicitly (tests); None goes back to the settings."""
    global _override
    _override = provider


def configured_provider() -> PlateProvider | None:
    """The provider the settings name, or None when there is none."""
    if _override is not None:
        return _override
    name = os.environ.get("MARKETPLACE_PLATE_PROVIDER", "").strip().lower()
    if name == TargaCoIt.name:
        username = os.environ.get("MARKETPLACE_PLATE_USERNAME", "").strip()
        return TargaCoIt(username, os.environ.get("MARKETPLACE_PLATE_URL") or None) if username else None
    return None


async def lookup_plate(text: str, provider: PlateProvider | None = None, timeout: float = TIMEOUT_SECONDS) -> PlateAnswer:
    """The VIN of a plate: from the 60-day cache, else the provider (within ``timeout``)."""
    plate = check_plate(text)
    provider = provider or configured_provider()
    async with raw_connection() as connection:
        row = await connection.fetchrow(
            "SELECT vin FROM vehicle_plate_lookup WHERE plate = $1 AND looked_up_at > now() - make_interval(days => $2)",
            plate, CACHE_DAYS)
    if row is not None:
        return PlateAnswer(plate, "found" if row["vin"] else "unknown", row["vin"], cached=True)
    if provider is None:
        return PlateAnswer(plate, "not_configured")
    try:
        vin = await asyncio.wait_for(provider.vin_of(plate), timeout)
    except (asyncio.TimeoutError, PlateUnavailable):
        return PlateAnswer(plate, "unavailable")
    if vin is not None and vin_problem(vin):
        vin = None
    async with raw_connection() as connection:
        await connection.execute(
            "INSERT INTO vehicle_plate_lookup (plate, vin, provider, looked_up_at) VALUES ($1, $2, $3, now())"
            " ON CONFLICT (plate) DO UPDATE SET vin = EXCLUDED.vin, provider = EXCLUDED.provider,"
            " looked_up_at = now()", plate, vin, provider.name[:32])
    return PlateAnswer(plate, "found" if vin else "unknown", vin)


def vehicle_page_for(text: str) -> str | None:
    """Where the counter's search box goes for a VIN (``/vehicles/{vin}``) or a plate; None for anything else."""
    if looks_like_vin(text):
        return f"/vehicles/{normalize_vin(text)}"
    if looks_like_plate(text):
        return f"/vehicles/?plate={normalize_plate(text)}"
    return None
