"""The ``marketplace`` command against the test database, as an operator runs it."""

import os
import subprocess
import sys

from marketplace.accounts.tables import ApiKey, User
from marketplace.inventory.tables import Part
from tests.conftest import make_dealer, make_user
from tests.pickup.test_orders import milano_point  # noqa: F401  (fixture)


def marketplace(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "marketplace", *args], env=os.environ.copy(), input=stdin,
                          capture_output=True, text=True, timeout=120)


async def test_apikey_create_prints_a_working_key_as_the_last_line(client, monkeypatch):
    await make_dealer("D001", "20121")
    result = marketplace("apikey", "create", "--dealer", "d001", "--name", "DMS")
    assert result.returncode == 0, result.stderr
    key = result.stdout.strip().splitlines()[-1]
    assert key.startswith("mk_")
    response = await client.get("/api/v1/dealers", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200

    network = marketplace("apikey", "create", "--network")
    assert (await ApiKey.count()) == 2 and network.stdout.strip().splitlines()[-1].startswith("mk_")
    prefix = key.split("_")[1]
    assert marketplace("apikey", "revoke", prefix).returncode == 0
    # Revoked in another process: this one stops accepting it once its memory of the key expires.
    import marketplace.accounts.api_keys as api_keys

    monkeypatch.setattr(api_keys._remembered, "max_age", 0.0)
    assert (await client.get("/api/v1/dealers", headers={"Authorization": f"Bearer {key}"})).status_code == 401


async def test_apikey_create_refuses_unclear_or_unknown_owners():
    both = marketplace("apikey", "create", "--network", "--dealer", "D001")
    assert both.returncode == 2 and "exactly one" in both.stderr
    unknown = marketplace("apikey", "create", "--dealer", "NOPE")
    assert unknown.returncode == 1 and "no dealer with code NOPE" in unknown.stderr
    assert await ApiKey.count() == 0


async def test_dealer_list_prints_code_name_city_tab_separated():
    await make_dealer("D002", "00184", name="Roma Ricambi")
    await make_dealer("D001", "20121", name="Milano Ricambi")
    result = marketplace("dealer", "list")
    assert result.stdout.splitlines() == ["D001\tMilano Ricambi\tMilano", "D002\tRoma Ricambi\tRoma"]


async def test_createuser_with_and_without_a_dealer():
    await make_dealer("D001", "20121")
    ok = marketplace("createuser", "--email", "Clerk@D001.example", "--role", "dealer_staff", "--dealer", "D001",
                     "--password", "long-enough-pw")
    assert ok.returncode == 0, ok.stderr
    missing = marketplace("createuser", "--email", "x@y.example", "--role", "dealer_staff", "--password", "long-enough-pw")
    assert missing.returncode == 1 and "dealer staff need a dealer" in missing.stderr
    short = marketplace("createuser", "--email", "m@y.example", "--role", "network_manager", "--password", "short")
    assert short.returncode == 1 and "at least 10" in short.stderr
    assert [u["email"] for u in await User.select(User.email)] == ["clerk@d001.example"]


async def test_catalog_import_reports_and_fails_when_nothing_applies(tmp_path):
    good = tmp_path / "catalog.csv"
    good.write_text("part_number,list_price,superseded_by\nA-1,1.00,B-1\nB-1,2.00,\nC-1,bad,\n")
    result = marketplace("catalog", "import", str(good))
    assert result.returncode == 0
    assert "lines read 3, created 2, updated 0, rejected 1" in result.stdout and "line 4: C-1" in result.stdout
    assert await Part.count() == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("part_number,list_price\nX,free\n")
    assert marketplace("catalog", "import", str(bad)).returncode == 1


async def test_seed_is_deterministic_and_refuses_a_full_database():
    from marketplace.network.tables import Dealer

    result = marketplace("seed", "--dealers", "20", "--parts", "300", "--seed", "5")
    assert result.returncode == 0, result.stderr
    assert "manager@demo.example" in result.stdout
    assert await Dealer.count() == 20 and await Part.count() == 300
    assert await Part.count().where(Part.superseded_by.is_not_null()) > 0
    from marketplace.geo.tables import Territory
    from marketplace.pickup.tables import PickupPoint

    # Click and collect works out of the box: every store a pickup point, territories to route orders.
    assert await PickupPoint.count() == 20 and await Territory.count() > 0
    first = await Part.select(Part.part_number).order_by(Part.id).limit(3)
    again = marketplace("seed", "--dealers", "20", "--parts", "300")
    assert again.returncode == 1 and "already holds" in again.stderr
    from marketplace.seed_data import generate_network

    assert [p["part_number"] for p in first] == [p.part_number for p in generate_network(20, 300, 5).parts[:3]]



async def test_mail_send_delivers_the_outbox_to_the_mail_folder(client, milano_point):  # noqa: F811
    from pathlib import Path

    from marketplace.accounts.tables import Role
    from tests.matching.network import stock
    from tests.pickup.test_orders import order

    await make_user("banco@mi.example", Role.dealer_staff, "MI")  # the store's message goes to its staff
    await stock("MI", "03L 115 562", 1)
    assert (await order(client, milano_point, [{"part_number": "03L115562", "quantity": 1}])).status_code == 201
    folder = Path(os.environ["MARKETPLACE_DATA_DIR"]) / "mail"  # shared with the run's live server
    before = set(folder.glob("*.eml"))
    result = marketplace("mail", "send")
    assert result.returncode == 0, result.stderr
    assert "2 sent" in result.stdout
    assert len(set(folder.glob("*.eml")) - before) == 2


async def test_the_sweeper_can_be_turned_off(monkeypatch):
    from marketplace.settings import get_settings
    from marketplace.sweeper import transfer_sweeper

    monkeypatch.setenv("MARKETPLACE_SWEEP_SECONDS", "0")
    get_settings.cache_clear()
    try:
        import asyncio

        async with transfer_sweeper(None):
            assert not [t for t in asyncio.all_tasks() if t.get_name() == "transfer-sweeper"]
    finally:
        get_settings.cache_clear()


def test_demo_points_mail_links_at_its_own_port_unless_a_base_url_is_set(monkeypatch):
    from marketplace.cli import _default_base_url
    from marketplace.settings import get_settings

    monkeypatch.delenv("MARKETPLACE_BASE_URL", raising=False)
    _default_base_url("127.0.0.1", 8199)
    assert get_settings().base_url == "http://127.0.0.1:8199"
    monkeypatch.delenv("MARKETPLACE_BASE_URL")
    _default_base_url("0.0.0.0", 8200)
    assert get_settings().base_url == "http://localhost:8200"
    monkeypatch.setenv("MARKETPLACE_BASE_URL", "https://ricambi.example")
    _default_base_url("127.0.0.1", 8199)
    get_settings.cache_clear()
    assert get_settings().base_url == "https://ricambi.example"
    monkeypatch.delenv("MARKETPLACE_BASE_URL")
    get_settings.cache_clear()
