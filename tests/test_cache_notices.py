"""One cache truth across processes: a change in one process is heard by the others (LISTEN/NOTIFY)."""

from __future__ import annotations

import asyncio
import os
import re
import time

import asyncpg
import httpx
import pytest

from marketplace import caches
from marketplace.accounts.api_keys import create_api_key
from marketplace.accounts.tables import Role
from marketplace.cache_notices import CHANNEL, Notices, listening
from marketplace.network.directory import DIRECTORY
from marketplace.piccolo_conf import DB
from tests.conftest import PASSWORD, make_dealer, make_user
from tests.live_server import running_server

URL = os.environ["MARKETPLACE_DATABASE_URL"]
WITHIN_SECONDS = 1.0


async def _notify(name: str) -> None:
    connection = await asyncpg.connect(URL)
    try:
        await connection.execute("SELECT pg_notify($1, $2)", CHANNEL, name)
    finally:
        await connection.close()


async def _until(condition, seconds: float = WITHIN_SECONDS) -> float:
    """Seconds until ``condition()`` held; fails after ``seconds``."""
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < seconds, f"not within {seconds} s"
        await asyncio.sleep(0.005)
    return time.monotonic() - start


# --- one process: the listener --------------------------------------------------------

async def test_a_notice_from_another_process_drops_that_cache_only():
    async with listening(URL) as notices:
        await asyncio.wait_for(notices.listening.wait(), 5)
        directory_before, keys_before = DIRECTORY.generation, caches._registry["api_keys"].generation
        await _notify("directory")
        await _until(lambda: DIRECTORY.generation > directory_before)
        assert caches._registry["api_keys"].generation == keys_before
        await _notify("no_such_cache")  # a newer version's cache name: ignored, the listener lives on
        await _notify("api_keys")
        await _until(lambda: caches._registry["api_keys"].generation > keys_before)
        assert notices.heard == 3


async def test_a_change_here_is_announced_once_and_not_heard_back():
    heard: list[str] = []
    other = await asyncpg.connect(URL)
    await other.add_listener(CHANNEL, lambda *args: heard.append(args[3]))
    try:
        async with listening(URL) as notices:
            await asyncio.wait_for(notices.listening.wait(), 5)
            generation = DIRECTORY.generation
            caches.forget("directory")
            assert DIRECTORY.generation == generation + 1  # dropped here at once
            await _until(lambda: heard == ["directory"])
            await asyncio.sleep(0.2)
            assert notices.heard == 0  # its own notice came back and was skipped
            assert DIRECTORY.generation == generation + 1
    finally:
        await other.close()


async def test_a_change_inside_a_transaction_is_announced_after_its_commit():
    heard: list[float] = []
    other = await asyncpg.connect(URL)
    await other.add_listener(CHANNEL, lambda *args: heard.append(time.monotonic()))
    try:
        async with listening(URL) as notices:
            await asyncio.wait_for(notices.listening.wait(), 5)
            async with DB.transaction():
                caches.forget("territories")
                await asyncio.sleep(0.3)  # the transaction is still open: nothing may be announced
                assert heard == []
                committed = time.monotonic()
            await _until(lambda: len(heard) == 1)
            assert heard[0] >= committed
    finally:
        await other.close()


async def test_tests_resetting_caches_announce_nothing():
    heard: list[str] = []
    other = await asyncpg.connect(URL)
    await other.add_listener(CHANNEL, lambda *args: heard.append(args[3]))
    try:
        async with listening(URL) as notices:
            await asyncio.wait_for(notices.listening.wait(), 5)
            caches.forget_all()
            caches.drop("chains")
            await asyncio.sleep(0.3)
            assert heard == []
    finally:
        await other.close()


async def test_the_listener_reconnects_and_drops_everything_it_may_have_missed():
    async with listening(URL) as notices:
        await asyncio.wait_for(notices.listening.wait(), 5)
        first_pid = notices.server_pid
        admin = await asyncpg.connect(URL)
        try:
            await admin.execute("SELECT pg_terminate_backend($1)", first_pid)
            chains_before = caches._registry["chains"].generation
            await _until(lambda: notices.connects == 2 and notices.listening.is_set(), 5)
            assert notices.server_pid != first_pid
            assert caches._registry["chains"].generation > chains_before  # missed notices: all dropped
            keys_before = caches._registry["api_keys"].generation
            await admin.execute("SELECT pg_notify($1, $2)", CHANNEL, "api_keys")
            await _until(lambda: caches._registry["api_keys"].generation > keys_before)
        finally:
            await admin.close()


async def test_a_listener_that_cannot_connect_keeps_trying_without_failing_the_app():
    notices = Notices("postgresql://postgres@127.0.0.1:1/nowhere")
    task = asyncio.create_task(notices.run())
    await asyncio.sleep(0.5)
    assert not task.done() and not notices.listening.is_set()
    task.cancel()


# --- two app processes ----------------------------------------------------------------

_CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


def _signed_in(base_url: str, email: str) -> httpx.Client:
    client = httpx.Client(base_url=base_url, timeout=10)
    token = _CSRF.search(client.get("/login").text).group(1)
    response = client.post("/login", data={"email": email, "password": PASSWORD, "_csrf_token": token})
    assert response.status_code == 303, response.text
    return client


def _form_token(client: httpx.Client, path: str) -> str:
    return _CSRF.search(client.get(path).text).group(1)


def _status_with_key(base_url: str, key: str) -> int:
    return httpx.get(f"{base_url}/api/v1/dealers/", headers={"Authorization": f"Bearer {key}"}, timeout=5).status_code


def _refused_within(base_url: str, key: str, seconds: float = WITHIN_SECONDS) -> float:
    start = time.monotonic()
    while _status_with_key(base_url, key) == 200:
        assert time.monotonic() - start < seconds, f"{base_url} still accepts the key after {seconds} s"
        time.sleep(0.01)
    return time.monotonic() - start


@pytest.fixture
def two_servers(database):
    with running_server() as first, running_server() as second:
        yield first, second


async def test_a_key_revoked_through_one_process_is_refused_by_the_other_within_a_second(two_servers):
    first, second = two_servers
    await make_dealer("D001", "20121")
    await make_user("boss@network.example", Role.network_manager)
    created = await create_api_key(role=Role.dealer_admin, dealer_id=(await make_dealer("D002", "00184"))["id"])
    assert _status_with_key(second, created.key) == 200  # now remembered there (10 s without notices)
    assert _status_with_key(first, created.key) == 200

    manager = _signed_in(first, "boss@network.example")
    response = manager.post(f"/api-keys/{created.id}/revoke", data={"_csrf_token": _form_token(manager, "/api-keys/")})
    assert response.status_code == 303
    assert _status_with_key(first, created.key) == 401
    latency = _refused_within(second, created.key)
    print(f"revoked key refused by the other process after {latency * 1000:.0f} ms")


async def test_a_dealer_deactivated_through_one_process_loses_its_keys_in_the_other_within_a_second(two_servers):
    first, second = two_servers
    await make_user("boss@network.example", Role.network_manager)
    dealer = await make_dealer("D002", "00184")
    key = (await create_api_key(role=Role.dealer_admin, dealer_id=dealer["id"])).key
    assert _status_with_key(second, key) == 200
    dealers = httpx.get(f"{second}/api/v1/dealers/", headers={"Authorization": f"Bearer {key}"}).json()
    assert [d["code"] for d in dealers] == ["D002"]

    manager = _signed_in(first, "boss@network.example")
    token = _form_token(manager, "/network/dealers/D002")
    response = manager.post("/network/dealers/D002/active", data={"active": "0", "_csrf_token": token})
    assert response.status_code == 303
    latency = _refused_within(second, key)
    print(f"deactivated dealer's key refused by the other process after {latency * 1000:.0f} ms")


async def test_a_key_revoked_by_the_command_is_announced_to_the_running_processes():
    from tests.test_cli import marketplace

    dealer = await make_dealer("D002", "00184")
    created = await create_api_key(role=Role.dealer_admin, dealer_id=dealer["id"])
    heard: list[str] = []
    other = await asyncpg.connect(URL)
    await other.add_listener(CHANNEL, lambda *args: heard.append(args[3]))
    try:
        result = marketplace("apikey", "revoke", created.prefix)
        assert result.returncode == 0, result.stderr
        await _until(lambda: heard == ["api_keys"])
    finally:
        await other.close()
