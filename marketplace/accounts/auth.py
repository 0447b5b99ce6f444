"""Who is calling, and what they may reach.

API routes (``/api/``) accept only ``Authorization: Bearer <API key>``: with no cookie
involved they need no CSRF token. Pages accept only the session cookie.

A zone agent's key acts for one of its dealers with ``X-Act-For: <dealer code>`` (403 for a dealer
that is not the agent's, or for any other key); its session does after "act for" on the agent's page.
"""

from __future__ import annotations

from collections.abc import Callable

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from marketplace.accounts.api_keys import principal_for_key
from marketplace.accounts.principal import Principal, acting, may_act_for
from marketplace.accounts.sessions import principal_for_session
from marketplace.accounts.tables import Role
from marketplace.network.tables import Dealer
from marketplace.web.paths import API_PREFIX

SESSION_COOKIE = "mk_session"
ACT_FOR_HEADER = "x-act-for"


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
    code = connection.headers.get(ACT_FOR_HEADER)
    if code is not None:
        return await _acting_by_key(principal, code.strip().upper())
    return principal


async def _acting_by_key(principal: Principal, code: str) -> Principal:
    if principal.role != Role.zone_agent:
        raise PermissionDeniedException("only a zone agent's key acts for a dealer (X-Act-For)")
    dealer = await Dealer.select(Dealer.id, Dealer.code, Dealer.name).where(
        (Dealer.code == code) & Dealer.active.eq(True)).first() if code else None
    if dealer is None or not await may_act_for(principal.user_id, dealer["id"]):
        raise PermissionDeniedException(f"X-Act-For: {code or '(empty)'} is not one of your dealers")
    return acting(principal, dealer["id"], dealer["code"], dealer["name"])


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
agent_only = requires(Role.zone_agent)
manager_or_agent = requires(Role.network_manager, Role.zone_agent)

#: Handlers carrying this ``opt`` are open to anyone (login, health, about, static files).
PUBLIC = {"public": True}
