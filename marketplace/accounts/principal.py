"""Who is making a request: a signed-in user or an API key.

A zone agent acting for one of its dealers is a principal of that dealer (role ``dealer_staff``,
the dealer's id and code), so every dealer-scoped page and function keeps using
``principal.dealer_id``; ``agent_user_id`` says that the person behind it is the agent, and
``actor_of`` in matching/transfers.py records "agent X for dealer Y". Which dealers an agent may
act for is the agents domain's rule, plugged in at startup (marketplace/wiring.py) through
:func:`register_acting_check`; with none registered nobody acts for anyone.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from marketplace.accounts.tables import DEALER_ROLES, Role


@dataclass(frozen=True, slots=True)
class Principal:
    role: Role
    dealer_id: int | None
    dealer_code: str | None
    dealer_name: str | None = None
    user_id: int | None = None
    api_key_id: int | None = None
    email: str = ""
    name: str = ""
    language: str = "it"
    # Set when a zone agent acts for the dealer above: the agent's user id.
    agent_user_id: int | None = None

    @property
    def is_manager(self) -> bool:
        return self.role == Role.network_manager

    @property
    def is_dealer(self) -> bool:
        return self.role in DEALER_ROLES

    @property
    def is_dealer_admin(self) -> bool:
        return self.role == Role.dealer_admin

    @property
    def is_agent(self) -> bool:
        """A zone agent as itself (not acting for a dealer)."""
        return self.role == Role.zone_agent

    @property
    def is_acting(self) -> bool:
        """A zone agent acting for a dealer."""
        return self.agent_user_id is not None


ActingCheck = Callable[[int, int], Awaitable[bool]]
_acting_check: list[ActingCheck] = []


def register_acting_check(check: ActingCheck) -> None:
    """``check(agent_user_id, dealer_id)``: whether the agent may act for the dealer now."""
    _acting_check[:] = [check]


async def may_act_for(agent_user_id: int, dealer_id: int) -> bool:
    return bool(_acting_check) and await _acting_check[0](agent_user_id, dealer_id)


def acting(agent: Principal, dealer_id: int, dealer_code: str, dealer_name: str | None) -> Principal:
    """The agent as a counter clerk of the dealer (call only after :func:`may_act_for`)."""
    if agent.role != Role.zone_agent or agent.user_id is None:
        raise ValueError("only a zone agent acts for a dealer")
    return dataclasses.replace(agent, role=Role.dealer_staff, dealer_id=dealer_id, dealer_code=dealer_code,
                               dealer_name=dealer_name, agent_user_id=agent.user_id)
