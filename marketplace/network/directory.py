"""The dealer directory held in memory for the hot paths (search, quotes).

2,000 dealers fit in a few arrays. A snapshot (with the network rules) is reused for a few
seconds, so a search costs no join to the dealer table and distances come from vectorized arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np

from marketplace.caches import Snapshot
from marketplace.network.rules import NetworkRules, get_rules
from marketplace.network.tables import Dealer

REFRESH_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class DealerInfo:
    id: int
    code: str
    name: str
    city: str
    lat: float
    lon: float
    active: bool
    is_central_warehouse: bool
    last_feed_at: datetime | None


@dataclass(frozen=True)
class Directory:
    by_id: dict[int, DealerInfo]
    by_code: dict[str, DealerInfo]
    # Indexed by dealer id: coordinates as arrays, for vectorized distances (NaN where unknown).
    lat: np.ndarray
    lon: np.ndarray
    # By dealer id, as of the snapshot: active with a fresh feed, and the importer's warehouse.
    fresh: np.ndarray
    central: np.ndarray
    rules: NetworkRules

    def is_stale(self, dealer: DealerInfo, now: datetime | None = None) -> bool:
        return self.rules.is_stale(dealer.last_feed_at, now)

    def feed_age_hours(self, dealer: DealerInfo, now: datetime | None = None) -> float | None:
        if dealer.last_feed_at is None:
            return None
        return ((now or datetime.now(timezone.utc)) - dealer.last_feed_at).total_seconds() / 3600


async def directory(max_age: float = REFRESH_SECONDS) -> Directory:
    """A snapshot of every dealer, at most ``max_age`` seconds old."""
    return await DIRECTORY.get(max_age)


def forget() -> None:
    """Drop the snapshot (a dealer or the rules changed); caches built on it (``depends_on``) drop theirs."""
    DIRECTORY.forget()


async def _load() -> Directory:
    rows = await Dealer.select(
        Dealer.id, Dealer.code, Dealer.name, Dealer.city, Dealer.lat, Dealer.lon, Dealer.active,
        Dealer.is_central_warehouse, Dealer.last_feed_at,
    )
    dealers = [DealerInfo(**row) for row in rows]
    rules = await get_rules()
    now = datetime.now(timezone.utc)
    size = max((d.id for d in dealers), default=0) + 1
    lat = np.full(size, np.nan)
    lon = np.full(size, np.nan)
    fresh = np.zeros(size, dtype=bool)
    central = np.zeros(size, dtype=bool)
    for dealer in dealers:
        if dealer.lat is not None:
            lat[dealer.id], lon[dealer.id] = dealer.lat, dealer.lon
        fresh[dealer.id] = dealer.active and not rules.is_stale(dealer.last_feed_at, now)
        central[dealer.id] = dealer.is_central_warehouse
    return Directory(
        by_id={d.id: d for d in dealers}, by_code={d.code: d for d in dealers}, lat=lat, lon=lon,
        fresh=fresh, central=central, rules=rules,
    )


DIRECTORY: Snapshot[Directory] = Snapshot("directory", _load, REFRESH_SECONDS)
