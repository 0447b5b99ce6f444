"""Every test talks to a real PostgreSQL: see tests/database.py for which one."""

from __future__ import annotations

import os
import re
import tempfile

from tests.database import provision

os.environ["MARKETPLACE_DATABASE_URL"], DATABASE_KIND = provision()
os.environ["MARKETPLACE_DATA_DIR"] = tempfile.mkdtemp(prefix="marketplace-test-data-")
os.environ["MARKETPLACE_SECRET_KEY"] = "test-secret-key-test-secret-key-test"
os.environ["MARKETPLACE_GEOCODER"] = "offline"

import httpx  # noqa: E402
import pytest  # noqa: E402

import marketplace.piccolo_conf  # noqa: E402,F401
from marketplace.accounts.api_keys import create_api_key  # noqa: E402
from marketplace.accounts.tables import Role  # noqa: E402
from marketplace.accounts.users import UserInput, create_user  # noqa: E402
from marketplace.app import create_app  # noqa: E402
from marketplace.caches import forget_all as forget_caches  # noqa: E402
from marketplace.db import POOL_OPTIONS  # noqa: E402
from marketplace.inventory.part_ids import forget as forget_part_ids  # noqa: E402
from marketplace.migrate import migrate  # noqa: E402
from marketplace.network.dealers import DealerInput, create_dealer  # noqa: E402
from marketplace.piccolo_conf import DB  # noqa: E402
from marketplace.pickup.code_lookup import forget as forget_code_misses  # noqa: E402

PASSWORD = "correct-horse-battery"


def pytest_report_header(config):
    return f"database: {DATABASE_KIND} PostgreSQL ({os.environ['MARKETPLACE_DATABASE_URL'].split('@')[-1]})"


@pytest.fixture(scope="session", autouse=True)
async def database():
    """Migrate the empty database once, and run the pool the app and the tests share."""
    await migrate()
    await DB.start_connection_pool(min_size=1, max_size=8, **POOL_OPTIONS)
    yield
    await DB.close_connection_pool()


KEPT_TABLES = ("migration", "network_settings", "commission_rules")


@pytest.fixture(autouse=True)
async def clean_tables(database):
    rows = await DB.run_ddl(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        f" AND tablename NOT IN ({', '.join(repr(t) for t in KEPT_TABLES)})"
    )
    await DB.run_ddl(f"TRUNCATE {', '.join(r['tablename'] for r in rows)} RESTART IDENTITY CASCADE")
    forget_part_ids()  # remembered ids of parts the truncation just removed
    forget_caches()  # every cache of database facts (directory, chains, keys, territories, points)
    forget_code_misses()
    await DB.run_ddl("DELETE FROM network_settings")
    await DB.run_ddl("INSERT INTO network_settings (id) VALUES (1)")
    await DB.run_ddl("DELETE FROM commission_rules WHERE version > 1")


@pytest.fixture(scope="session")
def app():
    return create_app(own_pool=False)


@pytest.fixture
async def client(app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        yield client


# --- things the tests make -------------------------------------------------------------

async def make_dealer(code: str = "D001", postal_code: str = "20121", **fields) -> dict:
    dealer = await create_dealer(DealerInput(code=code, name=fields.pop("name", f"Dealer {code}"),
                                             postal_code=postal_code, **fields))
    return dealer.to_dict()


async def make_user(email: str, role: Role, dealer_code: str | None = None, password: str = PASSWORD):
    return await create_user(UserInput(email=email, role=role.value, dealer_code=dealer_code), password)


async def make_key(role: Role = Role.dealer_admin, dealer_id: int | None = None) -> str:
    return (await create_api_key(role=role, dealer_id=dealer_id)).key


_CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def csrf_token(client: httpx.AsyncClient, path: str = "/login") -> str:
    """The token of a form on ``path`` (the cookie comes with it)."""
    response = await client.get(path)
    match = _CSRF.search(response.text)
    assert match, f"no CSRF token on {path} ({response.status_code})"
    return match.group(1)


async def sign_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    token = await csrf_token(client)
    return await client.post("/login", data={"email": email, "password": password, "_csrf_token": token})


@pytest.fixture
async def manager(client):
    """A signed-in network manager."""
    await make_user("boss@network.example", Role.network_manager)
    response = await sign_in(client, "boss@network.example")
    assert response.status_code == 303
    return client


@pytest.fixture
async def dealer_admin(client):
    """A signed-in admin of dealer D001 (Milano)."""
    await make_dealer("D001", "20121")
    await make_user("admin@d001.example", Role.dealer_admin, "D001")
    response = await sign_in(client, "admin@d001.example")
    assert response.status_code == 303
    return client


@pytest.fixture
async def clerk(client):
    """A signed-in counter clerk of dealer D001 (Milano)."""
    await make_dealer("D001", "20121")
    await make_user("clerk@d001.example", Role.dealer_staff, "D001")
    response = await sign_in(client, "clerk@d001.example")
    assert response.status_code == 303
    return client
