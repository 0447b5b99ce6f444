"""Who may see which zone agent's dealers (pages and API alike)."""

from __future__ import annotations

from datetime import datetime, timezone

from marketplace.accounts.principal import Principal
from marketplace.errors import Forbidden
from marketplace.settlement.periods import check_period, period_of


def agent_id_of(principal: Principal) -> int | None:
    """The zone agent behind the caller (itself, or acting for a dealer), else None."""
    if principal.is_acting:
        return principal.agent_user_id
    return principal.user_id if principal.is_agent else None


def check_may_view(principal: Principal, agent_id: int) -> None:
    """A manager sees every agent's dealers; an agent only its own (403 otherwise)."""
    if principal.is_manager or agent_id_of(principal) == agent_id:
        return
    raise Forbidden("an agent sees only its own dealers", "agent")


def period_or_current(value: str | None) -> str:
    return check_period(value) if value and value.strip() else period_of(datetime.now(timezone.utc))
