"""Network users: creation, sign-in with a rate limit, edits."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from marketplace.accounts.passwords import MIN_LENGTH, hash_password, needs_rehash, verify_password
from marketplace.accounts.sessions import end_sessions_of
from marketplace.accounts.sign_in_throttle import check_sign_in_allowed
from marketplace.accounts.tables import DEALER_ROLES, NETWORK_ROLES, LoginAttempt, Role, User
from marketplace.errors import Conflict, Invalid, NotFound
from marketplace.network.tables import Dealer
from marketplace.pagination import PER_PAGE, Page

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

LANGUAGES = ("it", "en")


@dataclass(frozen=True, slots=True)
class UserInput:
    email: str
    role: str
    name: str = ""
    dealer_code: str | None = None
    language: str = "it"


def _now() -> datetime:
    return datetime.now(timezone.utc)


def normalize_email(email: str) -> str:
    return email.strip().lower()


async def _validated(data: UserInput) -> tuple[str, Role, int | None]:
    email = normalize_email(data.email)
    if not _EMAIL.match(email) or len(email) > 254:
        raise Invalid("not a valid email address", "email")
    try:
        role = Role(data.role)
    except ValueError:
        raise Invalid(f"unknown role {data.role!r}: use one of {', '.join(r.value for r in Role)}", "role")
    if data.language not in LANGUAGES:
        raise Invalid(f"unknown language {data.language!r}", "language")
    dealer_id = None
    if role in DEALER_ROLES:
        code = (data.dealer_code or "").strip().upper()
        if not code:
            raise Invalid("dealer staff need a dealer", "dealer_code")
        row = await Dealer.select(Dealer.id).where(Dealer.code == code).first()
        if row is None:
            raise Invalid(f"no dealer with code {code}", "dealer_code")
        dealer_id = row["id"]
    elif data.dealer_code and role in NETWORK_ROLES:
        who = "network managers" if role == Role.network_manager else "zone agents"
        raise Invalid(f"{who} belong to no dealer", "dealer_code")
    return email, role, dealer_id


def _check_password(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise Invalid(f"the password needs at least {MIN_LENGTH} characters", "password")


async def create_user(data: UserInput, password: str) -> User:
    email, role, dealer_id = await _validated(data)
    _check_password(password)
    if await User.exists().where(User.email == email):
        raise Conflict(f"a user with email {email} exists already", "email")
    user = User(
        email=email, name=data.name.strip()[:200], role=role, dealer=dealer_id,
        language=data.language, password_hash=hash_password(password),
    )
    await user.save()
    return user


async def update_user(user_id: int, data: UserInput, *, active: bool, password: str | None = None) -> None:
    email, role, dealer_id = await _validated(data)
    if await User.exists().where((User.email == email) & (User.id != user_id)):
        raise Conflict(f"a user with email {email} exists already", "email")
    values = {
        User.email: email, User.name: data.name.strip()[:200], User.role: role,
        User.dealer: dealer_id, User.language: data.language, User.active: active,
    }
    if password:
        _check_password(password)
        values[User.password_hash] = hash_password(password)
    updated = await User.update(values).where(User.id == user_id).returning(User.id)
    if not updated:
        raise NotFound(f"no user {user_id}", "user")
    if not active or password:
        await end_sessions_of(user_id)


async def set_language(user_id: int, language: str) -> None:
    if language in LANGUAGES:
        await User.update({User.language: language}).where(User.id == user_id)


async def authenticate(email: str, password: str, ip: str) -> int:
    """The id of the user these credentials sign in, or an error; every try that is not refused
    by the throttle (sign_in_throttle.py: per account and address) is recorded."""
    email = normalize_email(email)
    await check_sign_in_allowed(email[:254], ip[:64], _now())
    row = (
        await User.select(User.id, User.password_hash, User.active, User.dealer.active.as_alias("dealer_active"))
        .where(User.email == email)
        .first()
    )
    ok = verify_password(row["password_hash"] if row else None, password)
    ok = ok and row["active"] and row["dealer_active"] is not False
    await LoginAttempt.insert(LoginAttempt(email=email[:254], ip=ip[:64], succeeded=ok))
    if not ok:
        raise Invalid("wrong email or password", "password")
    if needs_rehash(row["password_hash"]):
        await User.update({User.password_hash: hash_password(password)}).where(User.id == row["id"])
    await User.update({User.last_login_at: _now()}).where(User.id == row["id"])
    await LoginAttempt.delete().where(LoginAttempt.at < _now() - timedelta(days=30))
    return row["id"]


async def get_user(user_id: int) -> dict:
    row = (
        await User.select(*_USER_COLUMNS).where(User.id == user_id).first()
    )
    if row is None:
        raise NotFound(f"no user {user_id}", "user")
    return row


_USER_COLUMNS = (
    User.id, User.email, User.name, User.role, User.active, User.language, User.last_login_at,
    User.dealer.code.as_alias("dealer_code"), User.dealer.name.as_alias("dealer_name"),
)


async def list_users(q: str = "", page: int = 1, dealer_id: int | None = None) -> Page[dict]:
    where = User.id.is_not_null()
    if q.strip():
        term = f"%{q.strip()}%"
        where &= User.email.ilike(term) | User.name.ilike(term) | User.dealer.code.ilike(term)
    if dealer_id is not None:
        where &= User.dealer == dealer_id
    total = await User.count().where(where)
    rows = (
        await User.select(*_USER_COLUMNS)
        .where(where)
        .order_by(User.email)
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    )
    return Page(items=rows, total=total, page=page)
