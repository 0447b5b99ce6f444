"""From the outbox to the endpoints: fan-out, then delivery with retries (the sweeper runs both).

**Fan-out.** Each outbox message of an event topic (events.SOURCES) is read once into a
``webhook_message`` (its event's body, fixed) and one ``webhook_delivery`` per endpoint that
listens to that event and may hear of it (the network's, or one of the dealers it is about). The
message's row is the mark that it was fanned out: two processes fanning out at once both build it,
one inserts it (``ON CONFLICT DO NOTHING``) and only that one adds the deliveries. Messages older
than the oldest listening endpoint, or than FAN_OUT_WINDOW, are not sent: an endpoint hears of
what happens after it is registered.

**Delivery.** Due deliveries are claimed with ``FOR UPDATE SKIP LOCKED`` and leased (their next
try moved LEASE ahead) in one short transaction, posted concurrently without any transaction open,
and their outcome recorded: a process that dies mid-send leaves them to be tried again when the
lease ends, so delivery is at least once. A 2xx is success; 410 Gone disables the endpoint (and
gives up its pending deliveries); anything else is tried again after RETRY_DELAYS, about three
days in all, then given up. Every try is kept in ``webhook_attempt`` for the endpoint's log.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import httpcore
import httpx

from marketplace.db import raw_connection
from marketplace.webhooks.addresses import PinnedBackend
from marketplace.webhooks.events import SOURCES, event_of
from marketplace.webhooks.signing import headers
from marketplace.webhooks.tables import WebhookEndpoint

log = logging.getLogger("marketplace.webhooks")

#: A try's whole time (connect, send, read the answer's first ANSWER_BYTES), and so about the most
#: a hung receiver holds up a sweeper pass.
TIMEOUT_SECONDS = 15.0
ANSWER_BYTES = 1024
#: Waits after the 1st, 2nd ... failed try: 10 tries over about three days (71 h 36 min).
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
                timedelta(hours=5), timedelta(hours=10), timedelta(hours=14), timedelta(hours=20), timedelta(hours=20))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
LEASE = timedelta(minutes=2)
FAN_OUT_BATCH = 500
SEND_BATCH = 200
CONCURRENCY = 32
FAN_OUT_WINDOW = timedelta(days=3)
ID_MARGIN = 10_000
#: Delivered and failed deliveries (and the bodies nobody needs any more) are kept this long for the log.
KEEP = timedelta(days=30)
PRUNE_EVERY_SECONDS = 3600
#: One sweeper pass sends batch after batch while there is a backlog, and starts no try after this long:
#: with TIMEOUT_SECONDS for the tries already under way, the step takes at most about the sum.
BUDGET_SECONDS = 10.0
_pruned_at: float | None = None
ROTATION_OVERLAP = timedelta(hours=24)


def retry_delay(attempts: int) -> timedelta | None:
    """The wait after the ``attempts``-th failed try, or None when that was the last one."""
    return RETRY_DELAYS[attempts - 1] if attempts < MAX_ATTEMPTS else None


@dataclass
class WebhookReport:
    fanned_out: int = 0
    queued: int = 0
    delivered: int = 0
    failed: int = 0
    given_up: int = 0
    disabled: int = 0


_SINCE = """
SELECT min(created_at) FROM webhook_endpoint WHERE disabled_at IS NULL
"""

_TO_FAN_OUT = """
SELECT m.id, m.topic, m.payload, m.created_at FROM outbox_message m
WHERE m.topic = ANY($1::text[]) AND m.created_at >= $2 AND m.id > $4
  AND NOT EXISTS (SELECT 1 FROM webhook_message w WHERE w.message_id = m.id)
ORDER BY m.id LIMIT $3
"""

_LISTENING = """
SELECT 1 FROM webhook_endpoint e
WHERE e.disabled_at IS NULL AND e.created_at <= $2 AND e.events ? $1
"""

_MARK = """
INSERT INTO webhook_message (message_id, type, body, created_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (message_id) DO NOTHING RETURNING id
"""

_QUEUE = """
INSERT INTO webhook_delivery (endpoint, message_id, type, created_at, next_attempt_at)
SELECT e.id, $1, $2::text, $3, $3 FROM webhook_endpoint e
WHERE e.disabled_at IS NULL AND e.created_at <= $4 AND e.events ? $2::text
  AND (e.dealer IS NULL OR e.dealer = ANY($5::int[]))
ON CONFLICT (endpoint, message_id) DO NOTHING
"""


async def fan_out(now: datetime | None = None, limit: int = FAN_OUT_BATCH) -> tuple[int, int]:
    """Turn new event messages into deliveries: (messages read, deliveries queued)."""
    now = now or datetime.now(timezone.utc)
    async with WebhookEndpoint._meta.db.transaction() as tx:
        connection = tx.connection
        since = await connection.fetchval(_SINCE)
        if since is None:
            return 0, 0  # nobody listens: nothing is marked, nothing kept
        since = max(since, now - FAN_OUT_WINDOW)
        # Ids are given out before their transactions commit, so a message may appear behind newer
        # ones already fanned out: look that far back (the NOT EXISTS skips what was seen), no further.
        floor = await connection.fetchval("SELECT COALESCE(max(message_id), 0) FROM webhook_message") - ID_MARGIN
        rows = await connection.fetch(_TO_FAN_OUT, sorted(SOURCES), since, limit, floor)
        queued = 0
        for row in rows:
            event_type = SOURCES[row["topic"]]
            listening = await connection.fetchval(_LISTENING, event_type, row["created_at"])
            event = None
            if listening:
                payload = json.loads(row["payload"]) if isinstance(row["payload"], str) else row["payload"]
                async with connection.transaction():  # a savepoint: one unreadable message must not stop the rest
                    event = await event_of(connection, row["topic"], payload)
            body = event.body(row["created_at"]) if event else None
            if await connection.fetchval(_MARK, row["id"], event_type, body, row["created_at"]) is None or not event:
                continue
            status = await connection.execute(_QUEUE, row["id"], event_type, now, row["created_at"],
                                              list(event.dealer_ids))
            queued += int(status.split()[-1])
    return len(rows), queued


_CLAIM = """
UPDATE webhook_delivery d SET next_attempt_at = $2 + $3::interval
FROM (
    SELECT d.id FROM webhook_delivery d JOIN webhook_endpoint e ON e.id = d.endpoint
    WHERE d.delivered_at IS NULL AND d.given_up_at IS NULL AND d.next_attempt_at <= $2 AND e.disabled_at IS NULL
    ORDER BY d.next_attempt_at, d.id LIMIT $1 FOR UPDATE OF d SKIP LOCKED
) due, webhook_endpoint e, webhook_message m
WHERE d.id = due.id AND e.id = d.endpoint AND m.message_id = d.message_id
RETURNING d.id, d.endpoint, d.message_id, d.attempts, e.url, e.secret_salt, e.previous_salt, e.previous_until, m.body
"""


@dataclass
class _Outcome:
    delivery_id: int
    endpoint_id: int
    attempts: int
    status: int | None
    error: str
    duration_ms: int


async def _send(client: httpx.AsyncClient, url: str, body: bytes, sent_headers: dict[str, str]) -> tuple[int, str]:
    """The receiver's status and the start of its answer (at most ANSWER_BYTES are read)."""
    async with client.stream("POST", url, content=body, headers=sent_headers) as response:
        answer = b""
        async for chunk in response.aiter_raw():
            answer += chunk
            if len(answer) >= ANSWER_BYTES:
                break
        return response.status_code, answer[:ANSWER_BYTES].decode("utf-8", "replace")


async def _post(client: httpx.AsyncClient, claim: dict, now: datetime, semaphore: asyncio.Semaphore,
                start_before: float) -> _Outcome | None:
    """One try, or None when it was not started before ``start_before`` (loop time): the step's time is up."""
    salts = [claim["secret_salt"]]
    if claim["previous_salt"] and claim["previous_until"] and claim["previous_until"] > now:
        salts.append(claim["previous_salt"])
    status, error = None, ""
    async with semaphore:
        if asyncio.get_running_loop().time() >= start_before:
            return None
        started = time.perf_counter()
        try:
            sent_at = datetime.now(timezone.utc)
            # One deadline for the whole try (connect, send, answer): httpx's own timeout is per read, and a
            # receiver trickling its answer a byte at a time would never meet it.
            status, answer = await asyncio.wait_for(
                _send(client, claim["url"], claim["body"].encode(),
                      headers(f"msg_{claim['message_id']}", sent_at, claim["body"], salts)), TIMEOUT_SECONDS)
            if not 200 <= status < 300:
                error = f"HTTP {status}: {answer[:200]}"
        except (asyncio.TimeoutError, TimeoutError):
            status, error = None, f"no full answer within {TIMEOUT_SECONDS:g} s"
        except Exception as failure:  # noqa: BLE001  (a bad URL, a refused address...: this delivery's failure only)
            status = None
            error = (str(failure) if str(failure).startswith("refused:") else f"{type(failure).__name__}: {failure}")
            error = error[:500] or type(failure).__name__
    return _Outcome(claim["id"], claim["endpoint"], claim["attempts"] + 1, status, error,
                    int((time.perf_counter() - started) * 1000))


_clients: dict[int, tuple[asyncio.AbstractEventLoop, httpx.AsyncClient]] = {}


def _transport() -> httpx.AsyncHTTPTransport:
    """httpx's transport, connecting through PinnedBackend: to the very addresses that were checked."""
    transport = httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=CONCURRENCY))
    pool = transport._pool
    assert isinstance(pool, httpcore.AsyncConnectionPool) and hasattr(pool, "_network_backend")
    pool._network_backend = PinnedBackend()  # httpx has no argument for it; httpcore's pool takes one
    return transport


def _client() -> httpx.AsyncClient:
    """The event loop's HTTP client, kept from one sweep to the next: its connections to a receiver
    are reused (keep-alive) instead of opened again for every batch."""
    loop = asyncio.get_running_loop()
    kept = _clients.get(id(loop))
    if kept is None or kept[0] is not loop or kept[1].is_closed:
        for key in [key for key, (other, _) in _clients.items() if other.is_closed()]:
            del _clients[key]  # loops gone (tests run one each): their clients go with them
        kept = loop, httpx.AsyncClient(timeout=TIMEOUT_SECONDS, follow_redirects=False, transport=_transport())
        _clients[id(loop)] = kept
    return kept[1]


async def deliver_due(now: datetime | None = None, limit: int = SEND_BATCH,
                      client: httpx.AsyncClient | None = None, start_before: float | None = None) -> WebhookReport:
    """Post what is due, up to ``limit`` deliveries at once; none is started after ``start_before``
    (loop time; by default TIMEOUT_SECONDS from now), and each try lasts TIMEOUT_SECONDS at most."""
    report = WebhookReport()
    now = now or datetime.now(timezone.utc)
    async with WebhookEndpoint._meta.db.transaction() as tx:
        claims = [dict(r) for r in await tx.connection.fetch(_CLAIM, limit, now, LEASE)]
    if not claims:
        return report
    client = client or _client()
    semaphore = asyncio.Semaphore(CONCURRENCY)
    if start_before is None:
        start_before = asyncio.get_running_loop().time() + TIMEOUT_SECONDS
    results = await asyncio.gather(*(_post(client, claim, now, semaphore, start_before) for claim in claims),
                                   return_exceptions=True)
    outcomes, untried = [], []
    for claim, result in zip(claims, results):
        if isinstance(result, BaseException):  # _post catches what a try raises: a safety net only
            log.error("webhook delivery %d: %r", claim["id"], result)
            result = _Outcome(claim["id"], claim["endpoint"], claim["attempts"] + 1, None,
                              f"{type(result).__name__}: {result}"[:500], 0)
        if result is None:
            untried.append(claim["id"])
        else:
            outcomes.append(result)
    if untried:  # the step's time was up before their turn: due again at once, no try counted
        async with raw_connection() as connection:
            await connection.execute("UPDATE webhook_delivery SET next_attempt_at = $2 WHERE id = ANY($1::int[])",
                                     untried, now)
    await _record(outcomes, now, report)
    return report


async def _record(outcomes: list[_Outcome], now: datetime, report: WebhookReport) -> None:
    delivered, retry, given_up, gone = [], [], [], set()
    for o in outcomes:
        if o.status is not None and 200 <= o.status < 300:
            delivered.append((o.delivery_id, o.attempts, o.status))
        elif o.status == 410:
            gone.add(o.endpoint_id)
            given_up.append((o.delivery_id, o.attempts, o.status, o.error))
        elif (delay := retry_delay(o.attempts)) is None:
            given_up.append((o.delivery_id, o.attempts, o.status, o.error))
        else:
            retry.append((o.delivery_id, o.attempts, o.status, o.error, now + delay))
    async with WebhookEndpoint._meta.db.transaction() as tx:
        c = tx.connection
        await c.executemany(
            "INSERT INTO webhook_attempt (delivery, at, status, error, duration_ms) VALUES ($1, $2, $3, $4, $5)",
            [(o.delivery_id, now, o.status, o.error, o.duration_ms) for o in outcomes])
        if delivered:
            await c.executemany(
                "UPDATE webhook_delivery SET attempts = $2, last_status = $3, last_error = '', delivered_at = $4,"
                " next_attempt_at = NULL WHERE id = $1", [(*row, now) for row in delivered])
        if retry:
            await c.executemany(
                "UPDATE webhook_delivery SET attempts = $2, last_status = $3, last_error = $4, next_attempt_at = $5"
                " WHERE id = $1", retry)
        if given_up:
            await c.executemany(
                "UPDATE webhook_delivery SET attempts = $2, last_status = $3, last_error = $4, given_up_at = $5,"
                " next_attempt_at = NULL WHERE id = $1", [(*row, now) for row in given_up])
        for endpoint_id in gone:
            await c.execute("UPDATE webhook_endpoint SET disabled_at = $2, disabled_reason = $3"
                            " WHERE id = $1 AND disabled_at IS NULL", endpoint_id, now,
                            "the receiver answered 410 Gone")
            await c.execute("UPDATE webhook_delivery SET given_up_at = $2, next_attempt_at = NULL,"
                            " last_error = 'endpoint disabled (410 Gone)'"
                            " WHERE endpoint = $1 AND delivered_at IS NULL AND given_up_at IS NULL", endpoint_id, now)
            log.warning("webhook endpoint %d answered 410 Gone: disabled", endpoint_id)
    report.delivered += len(delivered)
    report.failed += len(retry)
    report.given_up += len(given_up)
    report.disabled += len(gone)


async def prune(now: datetime | None = None) -> None:
    """Forget deliveries done (or failed) more than KEEP ago, and bodies no delivery needs."""
    cutoff = (now or datetime.now(timezone.utc)) - KEEP
    async with raw_connection() as connection:
        await connection.execute(
            "DELETE FROM webhook_delivery WHERE created_at < $1 AND (delivered_at IS NOT NULL OR given_up_at IS NOT NULL)",
            cutoff)
        await connection.execute(
            "DELETE FROM webhook_message m WHERE m.created_at < $1"
            " AND NOT EXISTS (SELECT 1 FROM webhook_delivery d WHERE d.message_id = m.message_id)", cutoff)


async def run_webhooks(now: datetime | None = None) -> WebhookReport:
    """The sweeper's step: fan out what is new, send what is due, forget what is old.

    With ``now`` given (tests, a controlled clock) one batch each, so a test sees each step."""
    global _pruned_at
    started = time.monotonic()
    report = WebhookReport()
    # Full batches mean a backlog: keep going, within a time budget (the sweeper has other duties).
    start_before = asyncio.get_running_loop().time() + BUDGET_SECONDS
    while True:
        fanned, queued = await fan_out(now)
        sent = await deliver_due(now, start_before=start_before)
        report.fanned_out += fanned
        report.queued += queued
        for name in ("delivered", "failed", "given_up", "disabled"):
            setattr(report, name, getattr(report, name) + getattr(sent, name))
        busy = fanned >= FAN_OUT_BATCH or sent.delivered + sent.failed + sent.given_up >= SEND_BATCH
        if not busy or now is not None or time.monotonic() - started > BUDGET_SECONDS:
            break
    moment = time.monotonic()
    if _pruned_at is None or moment - _pruned_at > PRUNE_EVERY_SECONDS:
        await prune(now)
        _pruned_at = moment
    return report


async def pending_deliveries() -> int:
    async with raw_connection() as connection:
        return await connection.fetchval(
            "SELECT count(*) FROM webhook_delivery WHERE delivered_at IS NULL AND given_up_at IS NULL")
