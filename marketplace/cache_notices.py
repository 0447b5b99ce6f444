"""One cache truth across processes: PostgreSQL LISTEN/NOTIFY on channel ``marketplace_caches``.

App wiring, beside app.py. A change made in one process drops its cache there
(``caches.forget``) and is announced here as ``pg_notify('marketplace_caches', '<name>')``; every
app process holds one dedicated connection (not from the pool: a pooled one would lose its LISTEN
on release) that hears the name and drops its own copy with ``caches.drop`` (no new notice).

- After the commit: a change made inside a Piccolo transaction is announced once that transaction
  has ended, or another process could reload the old rows and keep them. (Rolled back: announced
  all the same; a needless reload is harmless.)
- Lost notices: notices sent while the listener is down never arrive, so on every (re)connect the
  process drops all its caches; each cache's time limit remains as the last safety net.
- A notice this process sent from its own listening connection comes back to it and is skipped.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress

import asyncpg

from marketplace import caches
from marketplace.metrics import CACHE_NOTICES

CHANNEL = "marketplace_caches"
PING_SECONDS = 10.0  # an idle connection's loss is noticed at the latest by its next ping
RECONNECT_SECONDS = (0.2, 0.5, 1.0, 2.0, 5.0)  # waits between attempts, the last one repeated
TRANSACTION_WAIT_SECONDS = 600.0  # announce anyway after this: a safety net, not a rule

log = logging.getLogger("marketplace.cache_notices")


async def _ended(transaction, limit: float = TRANSACTION_WAIT_SECONDS) -> None:
    """Wait until a Piccolo transaction is committed or rolled back (it offers no hook)."""
    deadline = time.monotonic() + limit
    while not (transaction._committed or transaction._rolled_back) and time.monotonic() < deadline:
        await asyncio.sleep(0.005)


async def _notify(connection, names: list[str]) -> None:
    for name in names:
        await connection.execute("SELECT pg_notify($1, $2)", CHANNEL, name)


async def send_now(names: list[str]) -> None:
    """Announce names from a process that does not listen (the CLI), on a connection of its own."""
    from marketplace.db import raw_connection

    async with raw_connection() as connection:
        await _notify(connection, sorted(set(names)))


class Notices:
    """The process's listening connection, and the announcer ``caches`` calls."""

    def __init__(self, dsn: str, *, on_heard: Callable[[str], None] | None = None) -> None:
        self._dsn = dsn
        self._connection: asyncpg.Connection | None = None
        self._lock = asyncio.Lock()  # one statement at a time on the listening connection
        self._pending: set[asyncio.Task] = set()
        self._on_heard = on_heard
        self.listening = asyncio.Event()
        self.connects = 0
        self.heard = 0

    # --- sending -------------------------------------------------------------------------

    def announce(self, name: str) -> None:
        """What ``caches`` calls (synchronously) when a change here dropped a cache."""
        from marketplace.piccolo_conf import DB

        transaction = DB.current_transaction.get()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop: nothing here can talk to the database; the time limit applies
            log.warning("cache %s dropped outside an event loop: not announced", name)
            return
        # A fresh context: the task must not run its query on the caller's transaction connection.
        task = loop.create_task(self._announce(name, transaction), context=contextvars.Context())
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _announce(self, name: str, transaction) -> None:
        if transaction is not None:
            await _ended(transaction)
        try:
            connection = self._connection
            if connection is not None and not connection.is_closed():
                async with self._lock:
                    await _notify(connection, [name])
            else:
                await send_now([name])
        except Exception:  # the other processes' time limits still apply
            log.exception("could not announce that cache %s changed", name)

    async def drain(self, timeout: float = 5.0) -> None:
        """Wait for announcements still on their way (shutdown, tests)."""
        if self._pending:
            await asyncio.wait(set(self._pending), timeout=timeout)
        left = set(self._pending)  # not announced in time: the other processes' time limits apply
        for task in left:
            task.cancel()
        if left:
            await asyncio.gather(*left, return_exceptions=True)

    # --- listening -----------------------------------------------------------------------

    def _heard(self, connection, pid: int, channel: str, name: str) -> None:
        if pid == connection.get_server_pid():
            return  # our own notice: this process dropped its cache already
        self.heard += 1
        if not caches.drop(name):
            log.warning("a notice named an unknown cache %r", name[:80])
            name = "unknown"  # anyone may NOTIFY: unknown names must not grow the metric's labels
        CACHE_NOTICES.labels(name).inc()
        if self._on_heard is not None:
            self._on_heard(name)

    async def run(self) -> None:
        """Listen for ever, reconnecting when the connection drops."""
        failures = 0
        while True:
            try:
                await self._listen_once()
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the server restarting, a network cut, a refused login
                log.warning("cache notices: connection lost or refused (%s); retrying", error)
            wait = RECONNECT_SECONDS[min(failures, len(RECONNECT_SECONDS) - 1)]
            failures += 1
            await asyncio.sleep(wait)

    async def _listen_once(self) -> None:
        connection = await asyncpg.connect(self._dsn)
        lost = asyncio.Event()
        connection.add_termination_listener(lambda _connection: lost.set())
        try:
            await connection.add_listener(CHANNEL, self._heard)
            self._connection = connection
            caches.forget_all()  # what changed while nobody listened was never heard
            self.connects += 1
            self.listening.set()
            while not lost.is_set():
                with suppress(TimeoutError):
                    await asyncio.wait_for(lost.wait(), PING_SECONDS)
                    break
                async with self._lock:
                    await asyncio.wait_for(connection.execute("SELECT 1"), PING_SECONDS)
        finally:
            self._connection = None
            self.listening.clear()
            if not connection.is_closed():
                connection.terminate()

    @property
    def server_pid(self) -> int | None:
        connection = self._connection
        return connection.get_server_pid() if connection is not None else None


@asynccontextmanager
async def listening(dsn: str) -> AsyncIterator[Notices]:
    """Listen and announce for the life of the block (the app's lifespan)."""
    notices = Notices(dsn)
    task = asyncio.create_task(notices.run(), name="cache-notices")
    caches.announce_with(notices.announce)
    try:
        yield notices
    finally:
        caches.announce_with(None)
        await notices.drain()
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
