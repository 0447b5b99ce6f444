"""What of a settlement a caller may see: a manager all of it; a dealer its own statement and the
payments it makes or receives."""

from __future__ import annotations

from marketplace.errors import NotFound
from marketplace.settlement.ledger import dealer_account
from marketplace.settlement.settlements import get_settlement


def visible(row: dict, principal) -> dict:
    if principal.is_manager:
        return row
    mine = dealer_account(principal.dealer_code)
    return {**row, "statements": [s for s in row["statements"] if s["account"] == mine],
            "payments": [p for p in row["payments"] if mine in (p["payer"], p["payee"])]}


async def visible_statement(period: str, account: str, principal) -> tuple[dict, dict]:
    """The settlement as the caller may see it, and one account's statement in it (404 otherwise)."""
    row = visible(await get_settlement(period), principal)
    statement = next((s for s in row["statements"] if s["account"] == account), None)
    if statement is None:
        raise NotFound(f"no statement of {account} in {period}", "account")
    return row, statement
