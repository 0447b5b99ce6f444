"""Delivering the outbox: each message is taken, sent and marked in its own short transaction.

Every app process runs this from its sweeper. A message is taken ``FOR UPDATE SKIP LOCKED``, so two
processes never send the same one, and its lock is held until it is marked: a process that dies
mid-send leaves it undelivered for the next pass (delivery is at least once, never lost).
A failed send is kept for a later try, further off each time, and given up after MAX_ATTEMPTS.
A pass stops at the first mail server error: the next messages would most likely wait for the
same timeout, and the sweeper has orders to expire meanwhile.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from marketplace.outbox.compose import Undeliverable, compose, mail_topics
from marketplace.outbox.mailers import Mailer, configured_mailer
from marketplace.outbox.tables import OutboxMessage

log = logging.getLogger("marketplace.outbox")

MAX_ATTEMPTS = 10
#: Messages sent in one pass at most: the sweeper's other duties come round again soon.
BATCH = 100
LONGEST_WAIT = timedelta(hours=6)

_NEXT = """
SELECT id, topic, payload, attempts FROM outbox_message
WHERE delivered_at IS NULL AND given_up_at IS NULL AND topic = ANY($1::text[])
  AND (next_attempt_at IS NULL OR next_attempt_at <= $2)
ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED
"""

# Topics nobody mails (order.collected, transfer.*: dealers follow transfers on their pages) are
# marked handled, so the pending index stays small and no stale backlog is mailed when one is added.
_NOTHING_TO_SEND = """
UPDATE outbox_message SET delivered_at = $2
WHERE delivered_at IS NULL AND given_up_at IS NULL AND NOT (topic = ANY($1::text[]))
"""


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    given_up: int = 0
    nothing_to_send: int = 0


def retry_delay(attempts: int) -> timedelta:
    """2, 4, 8 ... minutes after the 1st, 2nd, 3rd ... failure, at most LONGEST_WAIT."""
    return min(timedelta(minutes=2 ** attempts), LONGEST_WAIT)


async def deliver_pending(mailer: Mailer | None = None, *, limit: int = BATCH,
                          now: datetime | None = None) -> DeliveryReport:
    """Send what is due, up to ``limit`` messages; the counts of what happened."""
    topics = sorted(mail_topics())
    if not topics:
        # Every message would be marked "nothing to send": a process that forgot the wiring must not
        # swallow the mail.
        raise RuntimeError("no mail composers registered: call marketplace.wiring.connect_domains() first")
    mailer = mailer or configured_mailer()
    report = DeliveryReport()
    async with OutboxMessage._meta.db.transaction() as tx:
        status = await tx.connection.execute(_NOTHING_TO_SEND, topics, now or datetime.now(timezone.utc))
        report.nothing_to_send = int(status.split()[-1])
    for _ in range(limit):
        moment = now or datetime.now(timezone.utc)  # sends take time: each message its own clock reading
        async with OutboxMessage._meta.db.transaction() as tx:
            row = await tx.connection.fetchrow(_NEXT, topics, moment)
            if row is None:
                break
            server_failed = await _deliver_one(tx.connection, mailer, dict(row), moment, report)
        if server_failed:
            break
    return report


async def _deliver_one(connection, mailer: Mailer, row: dict, now: datetime, report: DeliveryReport) -> bool:
    """Send one message and record the outcome; True when the mail server (or the network) failed."""
    payload = json.loads(row["payload"]) if isinstance(row["payload"], str) else row["payload"]
    try:
        # A savepoint: a query failing in compose must not abort the transaction that records it.
        async with connection.transaction():
            email = await compose(connection, row["id"], row["topic"], payload)
        if email is None:  # nothing to tell any more: handled without a mail
            await connection.execute("UPDATE outbox_message SET delivered_at = $2 WHERE id = $1", row["id"], now)
            report.nothing_to_send += 1
            return False
        await mailer.send(email)
    except Undeliverable as error:
        await _give_up(connection, row, row["attempts"] + 1, str(error), now)
        report.given_up += 1
    except Exception as error:  # a mail server down, a template bug: kept for a later try
        attempts = row["attempts"] + 1
        reason = f"{type(error).__name__}: {error}"
        if attempts >= MAX_ATTEMPTS:
            await _give_up(connection, row, attempts, reason, now)
            report.given_up += 1
        else:
            log.warning("outbox message %d (%s) not sent, attempt %d of %d: %s", row["id"], row["topic"], attempts,
                        MAX_ATTEMPTS, reason)
            await connection.execute(
                "UPDATE outbox_message SET attempts = $2, last_error = $3, next_attempt_at = $4 WHERE id = $1",
                row["id"], attempts, reason[:2000], now + retry_delay(attempts))
            report.failed += 1
        return isinstance(error, OSError)  # smtplib's errors are OSErrors too
    else:
        await connection.execute("UPDATE outbox_message SET delivered_at = $2, attempts = $3 WHERE id = $1",
                                 row["id"], now, row["attempts"] + 1)
        report.sent += 1
    return False


async def _give_up(connection, row: dict, attempts: int, reason: str, now: datetime) -> None:
    log.error("gave up on outbox message %d (%s) after %d attempt(s): %s", row["id"], row["topic"], attempts, reason)
    await connection.execute(
        "UPDATE outbox_message SET attempts = $2, last_error = $3, given_up_at = $4, next_attempt_at = NULL"
        " WHERE id = $1", row["id"], attempts, reason[:2000], now)


async def troubled(limit: int = 20) -> list[dict]:
    """Messages that failed at least once and are not delivered, newest first (for the managers' page)."""
    return await OutboxMessage.select(
        OutboxMessage.id, OutboxMessage.topic, OutboxMessage.payload, OutboxMessage.created_at,
        OutboxMessage.attempts, OutboxMessage.last_error, OutboxMessage.next_attempt_at, OutboxMessage.given_up_at,
    ).where(OutboxMessage.delivered_at.is_null() & (OutboxMessage.attempts > 0)).order_by(
        OutboxMessage.id, ascending=False).limit(limit).output(load_json=True)


async def pending_count() -> int:
    return await OutboxMessage.count().where(
        OutboxMessage.delivered_at.is_null() & OutboxMessage.given_up_at.is_null())
