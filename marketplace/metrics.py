"""``GET /metrics`` in the Prometheus text format, and what feeds it.

App wiring, beside app.py: domain code knows nothing of it. Requests are counted by a small ASGI
middleware (by route template, never the raw path, so ids do not multiply the series); the
database figures (pool, outbox backlog, webhook deliveries pending) are read when Prometheus scrapes; the sweeper and the cache
listener count their own runs.

Each app process has its own registry: with ``serve --workers N`` a scrape sees one worker's
counts (run one process per port, or one per machine, and scrape each).

Not public: a network API key (``Authorization: Bearer``) or a client address listed in
``MARKETPLACE_METRICS_ALLOW`` (addresses or networks, comma-separated).
"""

from __future__ import annotations

import ipaddress
import logging
import time
from datetime import datetime, timezone

from litestar import Request, Response, get
from litestar.connection import ASGIConnection
from litestar.exceptions import HTTPException, NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from marketplace.accounts.api_keys import principal_for_key
from marketplace.accounts.tables import Role
from marketplace.settings import get_settings

log = logging.getLogger(__name__)

REGISTRY = CollectorRegistry()

REQUESTS = Counter("marketplace_http_requests", "Requests answered, by route template and status.",
                   ["method", "route", "status"], registry=REGISTRY)
LATENCY = Histogram("marketplace_http_request_duration_seconds", "Time to answer a request, by route template.",
                    ["method", "route"], registry=REGISTRY,
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
POOL_SIZE = Gauge("marketplace_db_pool_connections", "Connections open in this process's pool.", registry=REGISTRY)
POOL_IN_USE = Gauge("marketplace_db_pool_connections_in_use", "Pool connections lent out.", registry=REGISTRY)
POOL_MAX = Gauge("marketplace_db_pool_connections_max", "The pool's size limit.", registry=REGISTRY)
OUTBOX_BACKLOG = Gauge("marketplace_outbox_backlog", "Messages neither delivered nor given up.", registry=REGISTRY)
OUTBOX_OLDEST = Gauge("marketplace_outbox_oldest_undelivered_age_seconds",
                      "Age of the oldest message neither delivered nor given up (0 when none).", registry=REGISTRY)
WEBHOOKS_PENDING = Gauge("marketplace_webhook_deliveries_pending",
                         "Webhook deliveries neither delivered nor given up (waiting, or retrying).", registry=REGISTRY)
SWEEPER_RUNS = Counter("marketplace_sweeper_runs", "Sweeper passes in this process.", registry=REGISTRY)
SWEEPER_FAILURES = Counter("marketplace_sweeper_step_failures", "Sweeper steps that failed, by step.", ["step"],
                           registry=REGISTRY)
CACHE_NOTICES = Counter("marketplace_cache_notices_heard", "Cache drops announced by other processes, by cache.",
                        ["cache"], registry=REGISTRY)
FEEDS = Counter("marketplace_stock_feeds", "Stock feeds received by this process, by source and outcome"
                " (applied, refused by a rule, unreadable).", ["source", "outcome"], registry=REGISTRY)
RESERVATION_CONFLICTS = Counter("marketplace_reservation_conflicts",
                                "Transfers and orders refused with 409 for want of stock, by route template.",
                                ["route"], registry=REGISTRY)
DB_READS = Counter("marketplace_db_reads", "Read-path connections taken, by node (a replica, or primary).", ["node"],
                   registry=REGISTRY)
REPLICA_LAG = Gauge("marketplace_replica_lag_seconds", "Replay lag at the last check, by replica.", ["replica"],
                    registry=REGISTRY)
REPLICA_HEALTHY = Gauge("marketplace_replica_healthy", "1 when the replica serves reads, 0 when skipped.", ["replica"],
                        registry=REGISTRY)
REPLICA_SKIPS = Counter("marketplace_replica_skips", "Checks that found a replica lagging or unreachable, by reason.",
                        ["replica", "reason"], registry=REGISTRY)


class RequestMetrics:
    """ASGI middleware: count each answered request and time it, by its route's template."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500  # what is answered for an unexpected error

        async def counted_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, counted_send)
        except Exception as error:  # answered by the exception handlers, outside this middleware
            status = getattr(error, "status_code", 500)  # an HTTP or domain error's 4xx
            raise
        finally:
            route = scope.get("path_template") or "unmatched"
            method = scope["method"]
            REQUESTS.labels(method, route, str(status)).inc()
            LATENCY.labels(method, route).observe(time.perf_counter() - start)


def count_feed(source: str, report=None, *, unreadable: bool = False) -> None:
    """A feed handler's outcome (a report's ``applied``, or a file that could not be read)."""
    FEEDS.labels(source, "unreadable" if unreadable else "applied" if report.applied else "refused").inc()


def count_reservation_conflict(scope: Scope) -> None:
    RESERVATION_CONFLICTS.labels(scope.get("path_template") or "unmatched").inc()


def _address_allowed(host: str | None) -> bool:
    if not host:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in get_settings().metrics_allow)


async def metrics_reader(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """A guard: an allowed address, or a network key."""
    if _address_allowed(connection.client.host if connection.client else None):
        return
    scheme, _, key = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise NotAuthorizedException("send a network API key (Authorization: Bearer) or scrape from an allowed address")
    principal = await principal_for_key(key.strip())
    if principal is None:
        raise NotAuthorizedException("unknown or revoked API key")
    if principal.role != Role.network_manager or principal.dealer_id is not None:
        raise PermissionDeniedException("only a network key may read the metrics")


_OUTBOX = """
SELECT count(*) AS backlog, min(created_at) AS oldest FROM outbox_message
WHERE delivered_at IS NULL AND given_up_at IS NULL
"""


async def _read_database() -> None:
    from marketplace.db import raw_connection
    from marketplace.piccolo_conf import DB
    from marketplace.webhooks.delivery import pending_deliveries

    pool = DB.pool
    if pool is not None:
        POOL_SIZE.set(pool.get_size())
        POOL_IN_USE.set(pool.get_size() - pool.get_idle_size())
        POOL_MAX.set(pool.get_max_size())
    async with raw_connection() as connection:
        row = await connection.fetchrow(_OUTBOX)
    OUTBOX_BACKLOG.set(row["backlog"])
    oldest = row["oldest"]
    OUTBOX_OLDEST.set((datetime.now(timezone.utc) - oldest).total_seconds() if oldest else 0.0)
    WEBHOOKS_PENDING.set(await pending_deliveries())


def _refused(_: Request, error: HTTPException) -> Response:
    """A scraper is not a browser: a plain 401 or 403, never the pages' redirect to sign in."""
    headers = {"WWW-Authenticate": "Bearer"} if error.status_code == 401 else None
    return Response(f"{error.detail}\n", status_code=error.status_code, media_type="text/plain", headers=headers)


@get("/metrics", guards=[metrics_reader], include_in_schema=False, exception_handlers={HTTPException: _refused})
async def metrics() -> Response:
    try:
        await _read_database()
    except Exception:  # the database is down: the request counts are what a scrape needs most now
        log.warning("metrics: the database gauges could not be read", exc_info=True)
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


ROUTES = [metrics]
