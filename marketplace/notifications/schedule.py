"""Notifications the clock brings, emitted by the sweeper: a transfer request about to expire, and
each digest user's daily mail. Both go through ``emit_once`` (a unique index per topic), so
several sweeping processes emit each one once."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from marketplace.calendar import ROME
from marketplace.db import raw_connection
from marketplace.matching.transfers import EXPIRING_SOON_WORKING_HOURS, expiring_soon_until
from marketplace.notifications.compose import DIGEST_HOUR
from marketplace.outbox.messages import emit_once

#: Told this much working time before the request's deadline (matching's "about to expire").
WARNING = EXPIRING_SOON_WORKING_HOURS  # working hours
# A cheap superset of the requests within the last working hour (a weekend and holidays between).
_SOON = """
SELECT id, expires_at FROM transfer WHERE status = 'requested' AND expires_at > $1 AND expires_at <= $2
"""
_DIGEST_USERS = """
SELECT u.id FROM network_user u JOIN notification_preference p ON p."user" = u.id
WHERE p.digest AND u.active AND u.dealer IS NOT NULL
"""


async def emit_expiring(now: datetime | None = None) -> int:
    """``transfer.expiring`` for each open request with less than an hour of working time left; how many new."""
    now = now or datetime.now(timezone.utc)
    warn_from = expiring_soon_until(now)
    async with raw_connection() as connection:
        rows = await connection.fetch(_SOON, now, now + timedelta(days=6))
    payloads = [{"transfer_id": r["id"], "expires_at": r["expires_at"].isoformat()} for r in rows
                if r["expires_at"] <= warn_from]
    return await emit_once("transfer.expiring", "transfer_id", payloads, now)


async def emit_digests(now: datetime | None = None) -> int:
    """From the digest hour (Rome), one ``notification.digest`` per digest user for the day; how many new."""
    now = now or datetime.now(timezone.utc)
    local = now.astimezone(ROME)
    if local.time() < DIGEST_HOUR:
        return 0
    day = local.date().isoformat()
    async with raw_connection() as connection:
        users = [r["id"] for r in await connection.fetch(_DIGEST_USERS)]
    payloads = [{"user_id": user, "day": day, "digest_key": f"{user}:{day}"} for user in users]
    return await emit_once("notification.digest", "digest_key", payloads, now)
