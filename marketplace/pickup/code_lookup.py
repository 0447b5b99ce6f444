"""The counter's lookup by pickup code, counted like collection: guessing codes there is throttled.

A wrong code at collection counts against its order (5 lock it); a wrong code at the lookup names
no order, so it counts against the store that typed it: ``CODE_ATTEMPTS`` misses within
``WINDOW`` refuse further lookups there until the window has passed. An order locked by wrong codes
is never found by its code (only a network manager unlocks it). Counted per app process.
"""

from __future__ import annotations

import time
from collections import defaultdict, deque

from marketplace.accounts.principal import Principal
from marketplace.errors import TooManyAttempts
from marketplace.pickup.lifecycle import CODE_ATTEMPTS
from marketplace.pickup.order_views import ready_order_with_code

WINDOW = 15 * 60.0
_misses: dict[object, deque[float]] = defaultdict(deque)


def _who(principal: Principal) -> object:
    return ("dealer", principal.dealer_id) if principal.is_dealer else ("caller", principal.user_id, principal.api_key_id)


async def find_ready_order(principal: Principal, code: str, *, now: float | None = None) -> int | None:
    """The ready, unlocked order at the caller's points with this code; None (a miss, counted) otherwise."""
    now = time.monotonic() if now is None else now
    misses = _misses[_who(principal)]
    while misses and misses[0] <= now - WINDOW:
        misses.popleft()
    if len(misses) >= CODE_ATTEMPTS:
        raise TooManyAttempts("too many unknown codes typed here: wait a quarter of an hour or find the order by"
                              " number or name", "pickup_code")
    order_id = await ready_order_with_code(principal, code, CODE_ATTEMPTS)
    if order_id is None:
        misses.append(now)
    return order_id


def forget() -> None:
    _misses.clear()
