"""Every request an acting zone agent makes that changes something (or searches) goes into the
agents' audit log, whichever domain serves it: the dealer's pages and API need no change to be
covered. Runs inside the authentication middleware (it reads the principal) and records only
what succeeded (status below 400)."""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qs

from litestar.enums import ScopeType
from litestar.middleware import MiddlewareProtocol
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from marketplace.agents.audit import record_action

log = logging.getLogger(__name__)

_TRANSFER_ACTION = re.compile(r"^(?:/api/v1)?/transfers/(\d+)/(\w+)/?$")
_TRANSFER_REQUEST = re.compile(r"^(?:/transfers/request|/api/v1/transfers)/?$")
_FEED = re.compile(r"^(?:/stock/upload|/api/v1/stock(?:/.*)?)$")
_SEARCH = re.compile(r"^(?:/search(?:/results)?|/api/v1/network/search)/?$")
_LOCATION_ID = re.compile(r"/(\d+)(?:[/?]|$)")
_NOT_ACTIONS = re.compile(r"^/(?:agents/|language|logout)")


def classify(method: str, path: str, query: bytes, location: str = "") -> tuple[str, str, dict] | None:
    """(action, subject, detail) of a successful request, or None for one that changes nothing."""
    if method in ("GET", "HEAD"):
        if _SEARCH.match(path):
            q = (parse_qs(query.decode("latin-1")).get("q") or [""])[0].strip()
            return ("search", q[:300], {"path": path}) if q else None
        return None
    if _NOT_ACTIONS.match(path):
        return None
    if match := _TRANSFER_ACTION.match(path):
        return f"transfer_{match[2]}"[:40], f"#{match[1]}", {"path": path, "transfer_id": int(match[1])}
    found = _LOCATION_ID.search(location or "")
    if _TRANSFER_REQUEST.match(path):
        detail = {"path": path, **({"transfer_id": int(found[1])} if found else {})}
        return "transfer_requested", f"#{found[1]}" if found else "", detail
    if _FEED.match(path):
        return "feed_published", f"#{found[1]}" if found else "", {"path": path}
    return "other", path[:300], {"path": path, "method": method}


class AgentAuditMiddleware(MiddlewareProtocol):
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        principal = scope.get("user")
        if scope["type"] != ScopeType.HTTP or not getattr(principal, "is_acting", False):
            await self.app(scope, receive, send)
            return
        started: dict = {}

        async def remember(message: Message) -> None:
            if message["type"] == "http.response.start":
                started["status"] = message["status"]
                started["location"] = next((v.decode("latin-1") for k, v in message.get("headers", [])
                                            if k.lower() == b"location"), "")
            await send(message)

        await self.app(scope, receive, remember)
        if started.get("status", 500) >= 400:
            return
        found = classify(scope["method"], scope["path"], scope.get("query_string", b""), started.get("location", ""))
        if found is None:
            return
        action, subject, detail = found
        try:
            await record_action(principal, action, subject, detail)
        except Exception:  # the action happened; a failed log line must not turn it into an error page
            log.exception("could not record agent action %s for dealer %s", action, principal.dealer_id)
