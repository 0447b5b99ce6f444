"""Security headers on every answer; ``no-store`` where a pickup code may show.

No inline script runs (scripts are files under /static); styles may be inline (the territory map's
``<style>``, colour swatches) but load from nowhere else. Pages are never framed, never sniffed,
and send no referrer (a customer's order link is a secret). A handler whose ``opt`` (or its
controller's) has ``no_store`` is not kept by browsers or proxies: pages showing a pickup code.
"""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import Message, Scope

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:;"
       " object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
NO_STORE = {"no_store": True}


def _no_store(scope: Scope) -> bool:
    handler = scope.get("route_handler")
    layers = getattr(handler, "ownership_layers", None) or [handler]
    return any((getattr(layer, "opt", None) or {}).get("no_store") for layer in layers)


async def add_security_headers(message: Message, scope: Scope) -> None:
    """An app-level ``before_send`` hook, so every answer has them: pages, API, and the router's
    own 404 and 405 and errors raised by middleware, which a route middleware never sees."""
    if message["type"] == "http.response.start" and scope["type"] == ScopeType.HTTP:
        headers = MutableScopeHeaders.from_message(message)
        for name, value in HEADERS.items():
            if name != "Content-Security-Policy" or headers.get(name) is None:  # a stricter one of a file stays
                headers[name] = value
        if _no_store(scope):
            headers["Cache-Control"] = "no-store"
