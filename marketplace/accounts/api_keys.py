"""API keys: per dealer or for the network, stored hashed, shown once, revocable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from marketplace.accounts.principal import Principal
from marketplace.accounts.tables import NETWORK_ROLES, ApiKey, Role, User
from marketplace.accounts.tokens import new_token, token_hash
from marketplace.caches import Keyed
from marketplace.errors import Invalid, NotFound

KEY_PREFIX = "mk_"

# last_used_at is written at most this often, so a busy DMS does not write on every call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class NewApiKey:
    id: int
    prefix: str
    key: str


async def create_api_key(*, role: Role, dealer_id: int | None, name: str = "", user_id: int | None = None
                         ) -> NewApiKey:
    """Create a key; the returned plain key is never stored and cannot be shown again. A zone
    agent's key is its own (``user_id``, a zone agent)."""
    if role in NETWORK_ROLES and dealer_id is not None:
        raise Invalid("a network key belongs to no dealer", "dealer")
    if role not in NETWORK_ROLES and dealer_id is None:
        raise Invalid("a dealer key needs a dealer", "dealer")
    if role == Role.zone_agent:
        if user_id is None or not await User.exists().where((User.id == user_id) & (User.role == Role.zone_agent)):
            raise Invalid("a zone agent's key belongs to a zone agent", "user")
    elif user_id is not None:
        raise Invalid("only a zone agent's key belongs to a user", "user")
    prefix = new_token(6)[:8].replace("-", "x").replace("_", "y")
    key = f"{KEY_PREFIX}{prefix}_{new_token()}"
    row = ApiKey(prefix=prefix, key_hash=token_hash(key), name=name.strip()[:100], role=role, dealer=dealer_id,
                 user=user_id)
    await row.save()
    return NewApiKey(id=row.id, prefix=prefix, key=key)


# Valid keys are remembered briefly: a DMS calls many times a second, and each check would cost a
# query. A revocation (or a dealer's deactivation) made in another process applies within this time.
REMEMBER_SECONDS = 10.0
_remembered: Keyed[str, Principal] = Keyed("api_keys", REMEMBER_SECONDS)


def forget_keys() -> None:
    _remembered.forget()


async def principal_for_key(key: str) -> Principal | None:
    """The caller a key stands for, or None for an unknown or revoked key."""
    if not key.startswith(KEY_PREFIX):
        return None
    digest = token_hash(key)
    remembered = _remembered.get(digest)
    if remembered is not None:
        return remembered
    generation = _remembered.generation
    row = (
        await ApiKey.select(
            ApiKey.id, ApiKey.role, ApiKey.last_used_at, ApiKey.dealer.id, ApiKey.dealer.code, ApiKey.dealer.name,
            ApiKey.user.id, ApiKey.user.email, ApiKey.user.name, ApiKey.user.active,
        )
        .where(
            (ApiKey.key_hash == digest)
            & ApiKey.revoked_at.is_null()
            & (ApiKey.dealer.is_null() | ApiKey.dealer.active.eq(True))
        )
        .first()
    )
    if row is None or row["user.active"] is False:
        return None
    now = datetime.now(timezone.utc)
    if row["last_used_at"] is None or now - row["last_used_at"] > LAST_USED_RESOLUTION:
        await ApiKey.update({ApiKey.last_used_at: now}).where(ApiKey.id == row["id"])
    principal = Principal(
        role=Role(row["role"]),
        dealer_id=row["dealer.id"],
        dealer_code=row["dealer.code"],
        dealer_name=row["dealer.name"],
        api_key_id=row["id"],
        user_id=row["user.id"],
        email=row["user.email"] or "",
        name=row["user.name"] or "",
    )
    _remembered.put(digest, principal, generation)
    return principal


async def list_api_keys(dealer_id: int | None = None, *, network: bool = False) -> list[dict]:
    """Keys of one dealer, or the network's own keys; never the hashes."""
    query = ApiKey.select(
        ApiKey.id, ApiKey.prefix, ApiKey.name, ApiKey.role, ApiKey.created_at, ApiKey.revoked_at,
        ApiKey.last_used_at, ApiKey.dealer.code.as_alias("dealer_code"),
    ).order_by(ApiKey.created_at, ascending=False)
    if network:
        query = query.where(ApiKey.dealer.is_null())
    elif dealer_id is not None:
        query = query.where(ApiKey.dealer == dealer_id)
    return await query


async def revoke_api_key(key_id: int, *, dealer_id: int | None) -> None:
    """Revoke a key; a dealer may revoke only its own (``dealer_id``), a manager any (None)."""
    query = ApiKey.update({ApiKey.revoked_at: datetime.now(timezone.utc)}).where(
        (ApiKey.id == key_id) & ApiKey.revoked_at.is_null()
    )
    if dealer_id is not None:
        query = query.where(ApiKey.dealer == dealer_id)
    updated = await query.returning(ApiKey.id)
    if not updated:
        raise NotFound(f"no active API key {key_id}", "key")
    forget_keys()


async def revoke_api_key_by_prefix(prefix: str) -> None:
    row = await ApiKey.select(ApiKey.id).where(ApiKey.prefix == prefix).first()
    if row is None:
        raise NotFound(f"no API key with prefix {prefix}", "prefix")
    await revoke_api_key(row["id"], dealer_id=None)
