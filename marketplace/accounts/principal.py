"""Who is making a request: a signed-in user or an API key."""

from __future__ import annotations

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

    @property
    def is_manager(self) -> bool:
        return self.role == Role.network_manager

    @property
    def is_dealer(self) -> bool:
        return self.role in DEALER_ROLES

    @property
    def is_dealer_admin(self) -> bool:
        return self.role == Role.dealer_admin
