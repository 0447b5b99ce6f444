"""Who is calling, and what they may reach.

API routes (``/api/``) accept only ``Authorization: Bearer <API key>``: with no cookie
involved they need no CSRF token. Pages accept only the session cookie.
"""

from __future__ import annotations

from collections.abc import Callable

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from marketplace.accounts.api_keys import principal_for_key
from marketplace.accounts.principal import Principal
from marketplace.accounts.sessions import principal_for_session
from marketplace.accounts.tables import Role
from marketplace.web.paths import API_PREFIX

SESSION_COOKIE = "mk_session"


class AuthenticationMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        if connection.scope["path"].startswith(API_PREFIX):
            return AuthenticationResult(user=await _api_caller(connection), auth="api_key")
        token = connection.cookies.get(SESSION_COOKIE)
        principal = await principal_for_session(token) if token else None
        return AuthenticationResult(user=principal, auth=token if principal else None)


async def _api_caller(connection: ASGIConnection) -> Principal | None:
    header = connection.headers.get("authorization")
    if not header:
        return None
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise NotAuthorizedException("the Authorization header must be 'Bearer <API key>'")
    principal = await principal_for_key(key.strip())
    if principal is None:
        raise NotAuthorizedException("unknown or revoked API key")
    return principal


Guard = Callable[[ASGIConnection, BaseRouteHandler], None]


def requires(*roles: Role) -> Guard:
    """A guard letting through a signed-in caller with one of ``roles`` (any role when none given)."""
    allowed = frozenset(roles)

    def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        principal = connection.scope.get("user")
        if principal is None:
            raise NotAuthorizedException("sign in or send an API key")
        if allowed and principal.role not in allowed:
            raise PermissionDeniedException("your role may not use this")

    guard.roles = allowed  # type: ignore[attr-defined]
    return guard


signed_in = requires()
manager_only = requires(Role.network_manager)
dealer_only = requires(Role.dealer_staff, Role.dealer_admin)
dealer_admin_or_manager = requires(Role.dealer_admin, Role.network_manager)
dealer_admin_only = requires(Role.dealer_admin)

#: Handlers carrying this ``opt`` are open to anyone (login, health, about, static files).
PUBLIC = {"public": True}
