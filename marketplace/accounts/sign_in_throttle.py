"""How often one may try to sign in: throttled per (account, client address), so that failures
from one address cannot lock the account's owner out from another.

- **Per pair**: after 5 failed tries at an account from one address (since that address last
  signed in to it, at most a day back), that address waits 1 minute before its next try at the
  account, then 2, 4, 8... after each further failure (an hour at most). Other addresses, and
  other accounts from this address, are not affected.
- **Per account**: when an account has had 20 failed tries in 15 minutes from all addresses
  together (guessing spread over many addresses), the addresses that took part in them (those
  with failures of their own at this account) wait until the account is quiet again. An address
  with no recent failures at the account is never refused: the owner still signs in.

Refused tries are not recorded: waiting out a delay is enough to try again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from piccolo.query.functions.aggregate import Count, Max

from marketplace.accounts.tables import LoginAttempt
from marketplace.errors import TooManyAttempts

FREE_FAILURES = 5
FIRST_DELAY = timedelta(minutes=1)
LONGEST_DELAY = timedelta(hours=1)
PAIR_MEMORY = timedelta(days=1)
ACCOUNT_CEILING = 20
ACCOUNT_WINDOW = timedelta(minutes=15)


def delay_after(failures: int) -> timedelta | None:
    """The wait after this many failures in a row from one address at one account (None: none)."""
    if failures < FREE_FAILURES:
        return None
    doublings = min(failures - FREE_FAILURES, 12)  # 2^12 minutes is past the longest delay already
    return min(FIRST_DELAY * 2**doublings, LONGEST_DELAY)


@dataclass(frozen=True, slots=True)
class PairRecord:
    failures: int  # failed tries since the pair's last success (at most PAIR_MEMORY back)
    last_failure: datetime | None


async def _pair_record(email: str, ip: str, now: datetime) -> PairRecord:
    pair = (LoginAttempt.email == email) & (LoginAttempt.ip == ip)
    since = now - PAIR_MEMORY
    success = await LoginAttempt.select(Max(LoginAttempt.at, alias="at")).where(
        pair & LoginAttempt.succeeded.eq(True) & (LoginAttempt.at > since)).first()
    if success and success["at"] is not None:
        since = success["at"]
    row = await LoginAttempt.select(Count(alias="failures"), Max(LoginAttempt.at, alias="last")).where(
        pair & LoginAttempt.succeeded.eq(False) & (LoginAttempt.at > since)).first()
    return PairRecord(row["failures"], row["last"])


def _minutes(wait: timedelta) -> int:
    return max(1, math.ceil(wait.total_seconds() / 60))


async def check_sign_in_allowed(email: str, ip: str, now: datetime) -> None:
    """TooManyAttempts (429, ``minutes`` to wait) when this address must wait before trying this account."""
    record = await _pair_record(email, ip, now)
    delay = delay_after(record.failures)
    if delay is not None and record.last_failure is not None and now < record.last_failure + delay:
        minutes = _minutes(record.last_failure + delay - now)
        raise TooManyAttempts(f"too many failed sign-ins from this address: try again in {minutes} minute(s)",
                              "email", minutes=minutes)
    if record.failures == 0:
        return  # an address with no recent failures at the account: the ceiling never refuses it
    window = now - ACCOUNT_WINDOW
    everyone = await LoginAttempt.count().where(
        (LoginAttempt.email == email) & LoginAttempt.succeeded.eq(False) & (LoginAttempt.at > window))
    if everyone >= ACCOUNT_CEILING:
        minutes = _minutes(ACCOUNT_WINDOW)
        raise TooManyAttempts(f"too many failed sign-ins at this account: try again in {minutes} minute(s)",
                              "email", minutes=minutes)
