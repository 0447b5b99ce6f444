"""The process's caches of database facts, all built alike: load, age, drop, generation.

Each holds something read from PostgreSQL that every request needs and that changes rarely (the
dealer directory, pickup points, territories, supersession chains, API keys). The rules, once:

- a change made in this process calls the cache's :meth:`forget`: the next read loads afresh;
- a change made in another process is announced: :meth:`forget` hands the cache's name to the
  announcer the app installs (``cache_notices.py``: ``NOTIFY marketplace_caches``), and every
  other process hears it and calls :func:`drop` by name, which drops without announcing again;
  ``max_age`` stays as a safety net for a notice lost while a listener reconnects;
- a load that raced a :meth:`forget` answers its caller but is not kept, since what it read may
  predate the change: each forget moves the cache's ``generation``;
- a cache built on another (pickup points on the dealer directory) names it in ``depends_on`` and
  drops its value when that one's generation moves.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)

_registry: dict[str, _Cache] = {}
# Who tells the other processes a cache was dropped by a change (None: nobody listens, as in tests).
_announcer: Callable[[str], None] | None = None


class _Cache:
    """What every cache has: a name (for invalidation by name), an age limit, a generation."""

    def __init__(self, name: str, max_age: float) -> None:
        self.name = name
        self.max_age = max_age
        self.generation = 0
        _registry[name] = self

    def forget(self) -> None:
        """Drop after a change made here, and announce it to the other processes."""
        self.drop()
        if _announcer is not None:
            _announcer(self.name)

    def drop(self) -> None:
        """Drop in this process only (a change another process announced, or a test's reset)."""
        self.generation += 1
        self._drop()

    def _drop(self) -> None:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class _Entry(Generic[T]):
    value: T
    taken_at: float
    generation: int
    depends: tuple[int, ...]


class Snapshot(_Cache, Generic[T]):
    """One value (a whole table's worth, usually) kept for ``max_age`` seconds."""

    def __init__(self, name: str, load: Callable[[], Awaitable[T]], max_age: float, *,
                 depends_on: Sequence[_Cache] = (), single_flight: bool = False) -> None:
        super().__init__(name, max_age)
        self._load = load
        self._depends_on = tuple(depends_on)
        self._entry: _Entry[T] | None = None
        # One load at a time, for a value that is costly to build (territories' polygons).
        self._lock = asyncio.Lock() if single_flight else None

    def _depends(self) -> tuple[int, ...]:
        return tuple(cache.generation for cache in self._depends_on)

    def _kept(self, max_age: float) -> T | None:
        entry = self._entry
        if (entry is not None and entry.generation == self.generation and entry.depends == self._depends()
                and time.monotonic() - entry.taken_at <= max_age):
            return entry.value
        return None

    async def get(self, max_age: float | None = None) -> T:
        """The kept value, or a fresh load when there is none, it is too old or it was dropped."""
        limit = self.max_age if max_age is None else max_age
        kept = self._kept(limit)
        if kept is not None:
            return kept
        if self._lock is None:
            return await self._fill()
        async with self._lock:
            kept = self._kept(limit)
            return kept if kept is not None else await self._fill()

    async def _fill(self) -> T:
        generation, depends = self.generation, self._depends()  # read first: a change during the load wins
        value = await self._load()
        if generation == self.generation:
            self._entry = _Entry(value, time.monotonic(), generation, depends)
        return value

    def _drop(self) -> None:
        self._entry = None


class Keyed(_Cache, Generic[K, T]):
    """Values by key (a chain per part number, a caller per API key), each kept ``max_age`` seconds.
    The caller loads what is missing and :meth:`put`\\ s it with the generation it read before."""

    def __init__(self, name: str, max_age: float) -> None:
        super().__init__(name, max_age)
        self._values: dict[K, tuple[float, T]] = {}

    def get(self, key: K) -> T | None:
        found = self._values.get(key)
        if found is not None and time.monotonic() - found[0] < self.max_age:
            return found[1]
        return None

    def put(self, key: K, value: T, generation: int) -> None:
        if generation == self.generation:
            self._values[key] = (time.monotonic(), value)

    def _drop(self) -> None:
        self._values.clear()


def forget(name: str) -> None:
    """Drop one cache by its name after a change made here, and announce it."""
    _registry[name].forget()


def drop(name: str) -> bool:
    """Drop one cache by its name in this process only (another process announced a change);
    False for a name this process does not know (a newer or older version announced it)."""
    cache = _registry.get(name)
    if cache is None:
        return False
    cache.drop()
    return True


def forget_all() -> None:
    """Drop every cache in this process, announcing nothing: tests that empty tables behind the
    caches' back, and a listener that may have missed notices while it reconnected."""
    for cache in _registry.values():
        cache.drop()


def announce_with(announcer: Callable[[str], None] | None) -> None:
    """Install (or remove, with None) what tells the other processes a cache's name."""
    global _announcer
    _announcer = announcer


def names() -> list[str]:
    return sorted(_registry)
