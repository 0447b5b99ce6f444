"""API keys: valid, revoked, wrong dealer, shown once, last use recorded."""

from marketplace.accounts.tables import ApiKey, Role
from tests.conftest import csrf_token, make_dealer, make_key, make_user, sign_in


async def test_valid_key_reaches_the_api_and_records_its_use(client):
    dealer = await make_dealer("D001", "20121")
    key = await make_key(Role.dealer_admin, dealer["id"])
    response = await client.get("/api/v1/dealers", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    assert response.json() == [{"code": "D001", "name": "Dealer D001", "city": "Milano", "postal_code": "20121",
                                "lat": response.json()[0]["lat"], "lon": response.json()[0]["lon"]}]
    assert (await ApiKey.select(ApiKey.last_used_at).first())["last_used_at"] is not None


async def test_key_is_stored_hashed(client):
    dealer = await make_dealer()
    key = await make_key(Role.dealer_admin, dealer["id"])
    row = await ApiKey.select().first()
    assert key not in str(row.values())


async def test_missing_malformed_unknown_and_revoked_keys_get_401(client):
    dealer = await make_dealer()
    key = await make_key(Role.dealer_admin, dealer["id"])
    from marketplace.accounts.api_keys import revoke_api_key

    cases = {
        "none": {},
        "basic scheme": {"Authorization": "Basic dXNlcjpwYXNz"},
        "unknown": {"Authorization": "Bearer mk_nothing_here"},
    }
    for name, headers in cases.items():
        response = await client.get("/api/v1/dealers", headers=headers)
        assert response.status_code == 401, name
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["detail"]
    await revoke_api_key((await ApiKey.select(ApiKey.id).first())["id"], dealer_id=None)
    response = await client.get("/api/v1/dealers", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 401 and "revoked" in response.json()["detail"]


async def test_key_of_an_inactive_dealer_is_refused(client):
    dealer = await make_dealer()
    key = await make_key(Role.dealer_admin, dealer["id"])
    from marketplace.network.dealers import set_dealer_active

    await set_dealer_active("D001", False)
    assert (await client.get("/api/v1/dealers", headers={"Authorization": f"Bearer {key}"})).status_code == 401


async def test_session_cookie_does_not_open_the_api(clerk):
    assert (await clerk.get("/api/v1/dealers")).status_code == 401


async def test_dealer_key_cannot_use_manager_endpoints(client):
    dealer = await make_dealer()
    key = await make_key(Role.dealer_admin, dealer["id"])
    response = await client.post("/api/v1/catalog/import", content=b"part_number,list_price\nA1,1.00\n",
                                 headers={"Authorization": f"Bearer {key}", "Content-Type": "text/csv"})
    assert response.status_code == 403


async def test_dealer_admin_creates_a_key_shown_once_and_revokes_it(client):
    await make_dealer("D001", "20121")
    await make_user("admin@d001.example", Role.dealer_admin, "D001")
    await sign_in(client, "admin@d001.example")
    token = await csrf_token(client, "/api-keys")
    response = await client.post("/api-keys", data={"_csrf_token": token, "name": "DMS nightly"})
    assert response.status_code == 201
    key = response.text.split('id="new-key" value="')[1].split('"')[0]
    assert key.startswith("mk_")
    listing = await client.get("/api-keys")
    assert key not in listing.text and "DMS nightly" in listing.text
    api = await client.get("/api/v1/dealers", headers={"Authorization": f"Bearer {key}"})
    assert api.status_code == 200
    key_id = (await ApiKey.select(ApiKey.id).first())["id"]
    response = await client.post(f"/api-keys/{key_id}/revoke", data={"_csrf_token": token})
    assert response.status_code == 303
    assert (await client.get("/api/v1/dealers", headers={"Authorization": f"Bearer {key}"})).status_code == 401


async def test_dealer_admin_cannot_see_or_revoke_another_dealers_key(client):
    other = await make_dealer("D002", "00184")
    await make_key(Role.dealer_admin, other["id"])
    await make_dealer("D001", "20121")
    await make_user("admin@d001.example", Role.dealer_admin, "D001")
    await sign_in(client, "admin@d001.example")
    listing = await client.get("/api-keys")
    assert "D002" not in listing.text
    key_id = (await ApiKey.select(ApiKey.id).first())["id"]
    token = await csrf_token(client, "/api-keys")
    response = await client.post(f"/api-keys/{key_id}/revoke", data={"_csrf_token": token})
    assert response.status_code == 404
    assert (await ApiKey.select(ApiKey.revoked_at).first())["revoked_at"] is None


async def test_manager_creates_a_dealer_key_and_an_unknown_dealer_is_refused(manager):
    await make_dealer("D001", "20121")
    token = await csrf_token(manager, "/api-keys")
    response = await manager.post("/api-keys", data={"_csrf_token": token, "dealer_code": "NOPE"})
    assert response.status_code == 422 and "NOPE" in response.text
    assert await ApiKey.count() == 0
    response = await manager.post("/api-keys", data={"_csrf_token": token, "dealer_code": "d001"})
    assert response.status_code == 201
    row = await ApiKey.select(ApiKey.role, ApiKey.dealer.code).first()
    assert row == {"role": "dealer_admin", "dealer.code": "D001"}
