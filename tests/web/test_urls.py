"""Pages redirect by their routes' names: each name leads where the literal paths used to."""

import pytest

from tests.conftest import csrf_token

NAMED = [
    ("login", {}, "/login"),
    ("transfers:list", {}, "/transfers"),
    ("transfers:detail", {"transfer_id": 7}, "/transfers/7"),
    ("commissions:list", {}, "/network/commissions"),
    ("settlements:detail", {"period": "2026-11"}, "/settlements/2026-11"),
    ("pickup-points:list", {}, "/network/pickup-points"),
    ("own-pickup-points:list", {}, "/pickup-points"),
    ("counter:order", {"order_id": 3}, "/pickup/orders/3"),
    ("shop:part", {"number": "5Q0615301F"}, "/shop/parts/5Q0615301F"),
    ("shop:cart", {}, "/shop/cart"),
    ("shop:order", {"token": "abc"}, "/shop/orders/abc"),
    ("dealers:list", {}, "/network/dealers"),
    ("dealers:detail", {"code": "MI"}, "/network/dealers/MI"),
    ("network-settings", {}, "/network/settings"),
    ("territories:list", {}, "/network/territories"),
    ("users:list", {}, "/network/users"),
    ("api-keys:list", {}, "/api-keys"),
]


@pytest.mark.parametrize("name, params, path", NAMED)
def test_a_route_name_leads_to_its_page(app, name, params, path):
    assert app.route_reverse(name, **params) == path


async def test_a_redirect_by_name_writes_its_query_so_it_reads_back_the_same(manager):
    # The literal "?q={email}" read a "+" back as a space, and the new user was not found.
    token = await csrf_token(manager, "/network/users/new")
    created = await manager.post("/network/users/new", data={
        "_csrf_token": token, "email": "nuovo+banco@network.example", "name": "Nuovo", "role": "network_manager",
        "language": "it", "password": "a-long-password"})
    assert created.status_code == 303, created.text
    assert created.headers["location"] == "/network/users?q=nuovo%2Bbanco@network.example"
    assert "nuovo+banco@network.example" in (await manager.get(created.headers["location"])).text
