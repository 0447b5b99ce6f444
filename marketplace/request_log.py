"""Logs: one line per request, and every other log line in the same shape (structlog).

App wiring, beside metrics.py. ``MARKETPLACE_LOG_FORMAT=json`` writes JSON lines to stderr (what a
log shipper reads: journald, Loki, Elasticsearch); ``text`` (the default) the same fields readably.
``MARKETPLACE_LOG_LEVEL`` (default INFO; WARNING drops the request lines).

Each request gets an id: the client's ``X-Request-ID`` when it is a plain token (a load balancer's),
else a new one; it is answered in ``X-Request-ID`` and carried by every line logged while the
request runs. The request line names the route template (``/api/v1/transfers/{transfer_id:int}``),
the path as asked, the status and the time taken. Client-supplied text (the path, the id) is
escaped: JSON escapes it, and the text format escapes control characters (web/errors.for_log), so
a ``%0A`` in a URL cannot forge a line.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid

import structlog
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from marketplace.web.errors import for_log

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_configured: str | None = None
_SCOPE_KEY = "marketplace.request_id"

log = structlog.get_logger("marketplace.requests")


def configure(log_format: str, level: str = "INFO") -> None:
    """Send the process's logs (ours, the standard library's, uvicorn's) through one formatter."""
    global _configured
    if _configured == log_format:
        return
    shared = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    if log_format == "json":
        renderer = structlog.processors.JSONRenderer()
        shared.append(structlog.processors.format_exc_info)
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=False)
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    ))
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):  # its errors in the same shape, not its own format
        logger = logging.getLogger(name)
        logger.handlers, logger.propagate = [], True
    _configured = log_format


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            given = value.decode("latin-1")
            if _REQUEST_ID.match(given):
                return given
            break
    return uuid.uuid4().hex


class RequestLog:
    """ASGI middleware: the request id, and one line per answered request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        request_id = _request_id(scope)
        status = 500

        async def identified_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), (b"x-request-id", request_id.encode())]
            await send(message)

        scope[_SCOPE_KEY] = request_id  # seen by ``unrouted``: this request gets its line here
        structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            await self.app(scope, receive, identified_send)
        except Exception as error:
            status = getattr(error, "status_code", 500)
            raise
        finally:
            # Not configured (the tests' app): the id is answered, nothing is written.
            _line(scope, status, round((time.perf_counter() - start) * 1000, 2))
            structlog.contextvars.unbind_contextvars("request_id")


def _line(scope: Scope, status: int, duration_ms: float | None, request_id: str | None = None) -> None:
    # Not configured (the tests' app): nothing is written.
    if _configured is None or not logging.getLogger("marketplace.requests").isEnabledFor(logging.INFO):
        return
    client = scope.get("client")
    path = scope.get("path", "")
    extra = {"request_id": request_id} if request_id else {}
    log.info("request", method=scope["method"], route=scope.get("path_template") or "unmatched",
             path=path if _configured == "json" else for_log(path), status=status, duration_ms=duration_ms,
             client=client[0] if client else None, **extra)


async def unrouted(message: Message, scope: Scope) -> None:
    """An app-level ``before_send`` hook: the answers no route's middleware saw (the router's own
    404 and 405) get their id and their line too (without a duration: nothing timed them)."""
    if message["type"] != "http.response.start" or scope["type"] != "http" or _SCOPE_KEY in scope:
        return
    request_id = _request_id(scope)
    scope[_SCOPE_KEY] = request_id
    message["headers"] = [*message.get("headers", ()), (b"x-request-id", request_id.encode())]
    _line(scope, message["status"], None, request_id)
