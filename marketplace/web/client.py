"""Who is asking: the caller's network address, read from the request by the handlers, which pass
it on to the domain as a plain string."""

from __future__ import annotations

from litestar import Request


def client_address(request: Request) -> str | None:
    """The caller's network address as the server sees it (behind a proxy: the proxy's, unless the
    server is run with forwarded headers trusted)."""
    return request.client.host if request.client else None
