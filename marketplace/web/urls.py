"""The site's own addresses by their routes' names: a page that moves is moved in its route only."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from litestar import Request
from litestar.response import Redirect


def url_for(request: Request, name: str, query: Mapping[str, object] | None = None, **params: object) -> str:
    """The path of the route named ``name`` with its path parameters, and a query string if given
    ("@" left as is, so an email address reads as typed)."""
    path = request.app.route_reverse(name, **params)
    return f"{path}?{urlencode(query, safe='@')}" if query else path


def redirect_to(request: Request, name: str, query: Mapping[str, object] | None = None, *,
                status_code: int = 303, **params: object) -> Redirect:
    """After a form: see the page named ``name`` (303, so the browser asks for it with GET)."""
    return Redirect(url_for(request, name, query, **params), status_code=status_code)
