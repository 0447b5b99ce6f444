"""Sign-in throttled per (account, address): growing waits for the address that fails, never a
lock-out of the owner signing in from somewhere else."""

from datetime import timedelta

import pytest

from marketplace.accounts.sign_in_throttle import ACCOUNT_CEILING, FREE_FAILURES, delay_after
from marketplace.accounts.tables import LoginAttempt, Role
from marketplace.accounts.users import authenticate
from marketplace.errors import Invalid, TooManyAttempts
from tests.conftest import PASSWORD, make_user

BOSS = "boss@network.example"
ATTACKER = "203.0.113.66"
OWNER = "198.51.100.7"


def test_the_wait_doubles_after_each_failure_past_the_free_ones_up_to_an_hour():
    assert [delay_after(n) for n in range(FREE_FAILURES)] == [None] * FREE_FAILURES
    assert [delay_after(FREE_FAILURES + n) for n in range(4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert delay_after(FREE_FAILURES + 40) == timedelta(hours=1)


async def fail(ip: str, times: int = 1) -> None:
    for _ in range(times):
        with pytest.raises(Invalid):
            await authenticate(BOSS, "wrong-password!", ip)


async def age(minutes: float) -> None:
    """Every recorded try happened ``minutes`` earlier than recorded (time passes)."""
    for row in await LoginAttempt.select(LoginAttempt.id, LoginAttempt.at):
        await LoginAttempt.update({LoginAttempt.at: row["at"] - timedelta(minutes=minutes)}).where(
            LoginAttempt.id == row["id"])


async def test_an_address_waits_1_then_2_minutes_while_the_owner_signs_in_from_elsewhere():
    owner = await make_user(BOSS, Role.network_manager)
    await fail(ATTACKER, FREE_FAILURES)
    with pytest.raises(TooManyAttempts) as waiting:
        await authenticate(BOSS, PASSWORD, ATTACKER)  # the right password too, from there
    assert waiting.value.extra["minutes"] == 1
    assert await authenticate(BOSS, PASSWORD, OWNER) == owner.id  # not locked out
    await age(1.1)
    await fail(ATTACKER)  # its sixth failure: now two minutes
    with pytest.raises(TooManyAttempts) as waiting:
        await authenticate(BOSS, "wrong-password!", ATTACKER)
    assert waiting.value.extra["minutes"] == 2
    await age(1.1)
    with pytest.raises(TooManyAttempts):
        await authenticate(BOSS, "wrong-password!", ATTACKER)
    await age(1)
    assert await authenticate(BOSS, PASSWORD, ATTACKER) == owner.id  # waited: the right password works
    await fail(ATTACKER)  # a success starts the count again
    assert await authenticate(BOSS, PASSWORD, ATTACKER) == owner.id


async def test_guessing_from_many_addresses_never_refuses_the_owner_from_a_clean_address():
    owner = await make_user(BOSS, Role.network_manager)
    for n in range(ACCOUNT_CEILING // 2):
        await fail(f"203.0.113.{n}", 2)  # under the per-pair limit everywhere
    # The account is under attack: the addresses that took part wait, even with the password...
    with pytest.raises(TooManyAttempts):
        await authenticate(BOSS, PASSWORD, "203.0.113.0")
    # ...but one with no failures at this account is never refused.
    assert await authenticate(BOSS, PASSWORD, OWNER) == owner.id
    await age(16)  # the account quiet again
    assert await authenticate(BOSS, PASSWORD, "203.0.113.0") == owner.id


async def test_refused_tries_do_not_extend_the_wait():
    await make_user(BOSS, Role.network_manager)
    await fail(ATTACKER, FREE_FAILURES)
    for _ in range(10):
        with pytest.raises(TooManyAttempts):
            await authenticate(BOSS, "wrong-password!", ATTACKER)
    assert await LoginAttempt.count() == FREE_FAILURES
