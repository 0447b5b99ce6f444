"""The adoption figures the agents' pages and bonus add to pulse's: the share of a dealer's
inter-dealer purchases made through the portal.

Portal purchases are pulse's "requests completed" (parts received in the month on a transfer).
Purchases made off the portal (by phone between dealers) are recorded by the pulse domain's
phone-order record, which is being built on another branch: it is plugged in with
:func:`register_off_portal_purchases` (marketplace/wiring.py, at merge). Until then none are known
and a dealer that bought anything through the portal has a share of 100%."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import datetime

OffPortal = Callable[[list[int], datetime, datetime], object]
_provider: list[OffPortal] = []


def register_off_portal_purchases(provider: OffPortal) -> None:
    """``provider(dealer_ids, start, end)`` -> {dealer_id: purchases made off the portal} (may be async)."""
    _provider[:] = [provider]


def off_portal_known() -> bool:
    return bool(_provider)


async def off_portal_purchases(dealer_ids: list[int], start: datetime, end: datetime) -> dict[int, int]:
    if not _provider:
        return {}
    found = _provider[0](dealer_ids, start, end)
    if inspect.isawaitable(found):
        found = await found
    return {int(k): int(v) for k, v in dict(found).items()}


def portal_share(portal: int, off_portal: int) -> float | None:
    """portal / (portal + off portal), None when the dealer bought nothing at all."""
    total = portal + off_portal
    return round(portal / total, 4) if total else None
