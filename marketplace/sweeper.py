"""The background task that expires unanswered transfer requests and uncollected orders, reminds
customers of orders about to expire, and delivers the outbox's messages.

App wiring, beside app.py: it runs in the app's lifespan and calls each domain's own functions."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from litestar import Litestar

from marketplace.matching.transfer_expiry import expire_stale_agreements
from marketplace.matching.transfers import expire_overdue
from marketplace.matching.urgent_needs import advance_urgent_needs
from marketplace.metrics import SWEEPER_FAILURES, SWEEPER_RUNS
from marketplace.notifications.schedule import emit_digests, emit_expiring
from marketplace.outbox.delivery import deliver_pending
from marketplace.pickup.acceptance import pass_over_due
from marketplace.pickup.lifecycle import expire_uncollected
from marketplace.pickup.reminders import emit_reminders
from marketplace.pulse.sweep import tick as pulse_tick
from marketplace.settings import get_settings
from marketplace.webhooks.delivery import run_webhooks

log = logging.getLogger("marketplace.sweeper")
INTERVAL_SECONDS = 30.0


async def _expire_transfers() -> None:
    if expired := await expire_overdue() + await expire_stale_agreements():
        log.info("expired %d unanswered transfer request(s)", expired)


async def _expire_orders() -> None:
    if uncollected := await expire_uncollected():
        log.info("expired %d uncollected order(s)", uncollected)


async def _route() -> None:
    """Online orders' lines not accepted in time (or declined) pass to the next holder; urgent needs' waves."""
    if moved := await pass_over_due():
        log.info("passed %d order line(s) to the next holder", moved)
    if waves := await advance_urgent_needs():
        log.info("urgent needs: %d wave(s) sent or expired", waves)


async def _remind() -> None:
    if reminded := await emit_reminders():
        log.info("reminded %d order(s) about to expire", reminded)


async def _notify() -> None:
    if expiring := await emit_expiring():
        log.info("%d transfer request(s) about to expire: their suppliers are told", expiring)
    await emit_digests()


async def _deliver() -> None:
    report = await deliver_pending()
    if report.sent or report.failed or report.given_up:
        log.info("outbox: %d sent, %d failed (kept for a later try), %d given up", report.sent, report.failed,
                 report.given_up)


async def _pulse() -> None:
    if done := {k: v for k, v in (await pulse_tick()).items() if v}:
        log.info("pulse: %s", done)


async def _webhooks() -> None:
    report = await run_webhooks()
    if report.delivered or report.failed or report.given_up:
        log.info("webhooks: %d delivered, %d failed (kept for a later try), %d given up, %d endpoint(s) disabled",
                 report.delivered, report.failed, report.given_up, report.disabled)


#: In this order: an order expired in this pass gets no reminder, and what they emit goes out at once.
STEPS: tuple[Callable[[], Awaitable[None]], ...] = (
    _expire_transfers, _expire_orders, _route, _remind, _notify, _pulse, _deliver, _webhooks)


async def sweep_once() -> None:
    """One pass; each step on its own, so a mail server that is down does not stop expiry."""
    SWEEPER_RUNS.inc()
    for step in STEPS:
        try:
            await step()
        except Exception:  # a failed step must not stop the others, nor the next passes
            SWEEPER_FAILURES.labels(step.__name__.strip("_")).inc()
            log.exception("the sweeper's %s step failed; retrying in %s s", step.__name__.strip("_"), INTERVAL_SECONDS)


async def sweep_forever(interval: float = INTERVAL_SECONDS) -> None:
    # Safe in every app process at once: each step takes its rows with SKIP LOCKED (or ON CONFLICT).
    while True:
        await sweep_once()
        await asyncio.sleep(interval)


@asynccontextmanager
async def transfer_sweeper(app: Litestar) -> AsyncIterator[None]:
    interval = get_settings().sweep_seconds
    if interval <= 0:  # another process sweeps (or a test server that must leave the rows alone)
        yield
        return
    task = asyncio.create_task(sweep_forever(interval), name="transfer-sweeper")
    try:
        yield
    finally:
        task.cancel()
