"""A dealer's notification address (its admins and the network set it) and each user's preferences."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from marketplace.db import raw_connection
from marketplace.errors import Invalid
from marketplace.notifications.kinds import KINDS

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True, slots=True)
class Preferences:
    kinds: tuple[str, ...]
    digest: bool


async def address_of(dealer_id: int) -> str:
    async with raw_connection() as connection:
        return await connection.fetchval("SELECT email FROM notification_address WHERE dealer = $1", dealer_id) or ""


async def set_address(dealer_id: int, email: str) -> None:
    """The dealer's notification address; empty removes it (its people are still told)."""
    email = (email or "").strip()
    async with raw_connection() as connection:
        if not email:
            await connection.execute("DELETE FROM notification_address WHERE dealer = $1", dealer_id)
            return
        if len(email) > 254 or not _EMAIL.match(email):
            raise Invalid("not an email address", "address")
        await connection.execute(
            "INSERT INTO notification_address (dealer, email, updated_at) VALUES ($1, $2, now())"
            " ON CONFLICT (dealer) DO UPDATE SET email = EXCLUDED.email, updated_at = now()", dealer_id, email)


async def preferences_of(user_id: int) -> Preferences:
    """What the user is mailed; every kind at once when never chosen."""
    async with raw_connection() as connection:
        row = await connection.fetchrow('SELECT kinds, digest FROM notification_preference WHERE "user" = $1', user_id)
    if row is None:
        return Preferences(tuple(KINDS), False)
    kinds = json.loads(row["kinds"]) if isinstance(row["kinds"], str) else row["kinds"]
    return Preferences(tuple(k for k in KINDS if k in kinds), row["digest"])


async def set_preferences(user_id: int, kinds: list[str], digest: bool) -> Preferences:
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown:
        raise Invalid(f"no such notification: {', '.join(unknown)}", "kinds")
    chosen = [k for k in KINDS if k in kinds]
    async with raw_connection() as connection:
        await connection.execute(
            'INSERT INTO notification_preference ("user", kinds, digest) VALUES ($1, $2::jsonb, $3)'
            ' ON CONFLICT ("user") DO UPDATE SET kinds = EXCLUDED.kinds, digest = EXCLUDED.digest',
            user_id, json.dumps(chosen), digest)
    return Preferences(tuple(chosen), digest)
