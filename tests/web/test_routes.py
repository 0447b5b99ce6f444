"""Every route is behind a role check unless it is meant to be public."""

import re

from litestar.handlers import HTTPRouteHandler

from marketplace.accounts.auth import manager_only

PUBLIC_PATHS = {"/health", "/ready", "/login", "/logout", "/language", "/about", "/logo", "/static", "/schema", "/api/v1/pickup/quote", "/api/v1/orders", "/shop"}


def _handlers(app):
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            # Litestar adds an OPTIONS handler per path for CORS preflight; it runs no code of ours.
            if isinstance(handler, HTTPRouteHandler) and handler.http_methods != {"OPTIONS"}:
                yield route.path, handler


def test_every_route_has_a_guard_or_is_declared_public(app):
    unguarded = []
    for path, handler in _handlers(app):
        guards = [g for layer in handler.ownership_layers for g in (layer.guards or [])]
        public = any((layer.opt or {}).get("public") for layer in handler.ownership_layers)
        if public:
            assert any(path == p or path.startswith(p + "/") for p in PUBLIC_PATHS), f"{path} is public: is it meant to be?"
        elif not guards and not path.startswith("/schema"):
            unguarded.append(path)
    assert unguarded == []


def test_manager_pages_and_endpoints_are_manager_only(app):
    for path, handler in _handlers(app):
        if path.startswith(("/network/", "/api/v1/catalog/import", "/catalog/import")):
            guards = [g for layer in handler.ownership_layers for g in (layer.guards or [])]
            assert manager_only in guards, path


def test_every_integer_path_parameter_is_an_id(app):
    """One id type: integer path parameters are ids, which the input guard bounds before any query."""
    for path, _ in _handlers(app):
        for name, kind in re.findall(r"{(\w+):(\w+)}", path):
            if kind == "int":
                assert name.endswith("_id"), f"{path}: {name} is an integer but not an id"
