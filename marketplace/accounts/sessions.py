"""Server-side sessions: a fresh random token at every sign-in, so a session id is never fixed."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from marketplace.accounts.principal import Principal, acting, may_act_for
from marketplace.accounts.tables import Role, WebSession
from marketplace.accounts.tokens import new_token, token_hash

SESSION_LIFETIME = timedelta(hours=12)


def _now() -> datetime:
    return datetime.now(timezone.utc)


async def start_session(user_id: int) -> str:
    token = new_token()
    await WebSession.insert(
        WebSession(token_hash=token_hash(token), user=user_id, expires_at=_now() + SESSION_LIFETIME)
    )
    # Sweeping expired rows on sign-in keeps the table small without a background job.
    await WebSession.delete().where(WebSession.expires_at < _now())
    return token


async def end_session(token: str) -> None:
    await WebSession.delete().where(WebSession.token_hash == token_hash(token))


async def end_sessions_of(user_id: int) -> None:
    await WebSession.delete().where(WebSession.user == user_id)


async def principal_for_session(token: str) -> Principal | None:
    user = WebSession.user
    row = (
        await WebSession.select(
            user.id, user.email, user.name, user.role, user.language,
            user.dealer.id, user.dealer.code, user.dealer.name,
            WebSession.acting_for.id, WebSession.acting_for.code, WebSession.acting_for.name,
            WebSession.acting_for.active,
        )
        .where(
            (WebSession.token_hash == token_hash(token))
            & (WebSession.expires_at > _now())
            & (user.active.eq(True))
            & (user.dealer.is_null() | user.dealer.active.eq(True))
        )
        .first()
    )
    if row is None:
        return None
    principal = Principal(
        role=Role(row["user.role"]),
        dealer_id=row["user.dealer.id"],
        dealer_code=row["user.dealer.code"],
        dealer_name=row["user.dealer.name"],
        user_id=row["user.id"],
        email=row["user.email"],
        name=row["user.name"],
        language=row["user.language"],
    )
    dealer_id = row["acting_for.id"]
    if principal.role == Role.zone_agent and dealer_id is not None and row["acting_for.active"]:
        # Checked at every request: an agent whose dealer was taken away stops acting for it at once.
        if await may_act_for(principal.user_id, dealer_id):
            return acting(principal, dealer_id, row["acting_for.code"], row["acting_for.name"])
    return principal


async def set_acting_for(token: str, dealer_id: int | None) -> None:
    """The session acts for the dealer from now on (None: as the user again). The caller checks
    that the user may (marketplace/agents/acting.py)."""
    await WebSession.update({WebSession.acting_for: dealer_id}).where(WebSession.token_hash == token_hash(token))
