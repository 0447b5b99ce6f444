"""The background task that expires unanswered transfer requests and uncollected orders."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar

from marketplace.matching.transfers import expire_overdue
from marketplace.pickup.lifecycle import expire_uncollected

log = logging.getLogger("marketplace.sweeper")
INTERVAL_SECONDS = 30.0


async def sweep_forever(interval: float = INTERVAL_SECONDS) -> None:
    # Safe in every app process at once: expire_overdue takes rows with SKIP LOCKED.
    while True:
        try:
            expired = await expire_overdue()
            if expired:
                log.info("expired %d unanswered transfer request(s)", expired)
            uncollected = await expire_uncollected()
            if uncollected:
                log.info("expired %d uncollected order(s)", uncollected)
        except Exception:  # a failed pass must not stop the next ones
            log.exception("the transfer sweeper failed; retrying in %s s", interval)
        await asyncio.sleep(interval)


@asynccontextmanager
async def transfer_sweeper(app: Litestar) -> AsyncIterator[None]:
    task = asyncio.create_task(sweep_forever(), name="transfer-sweeper")
    try:
        yield
    finally:
        task.cancel()
