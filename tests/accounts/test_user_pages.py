"""Managers create, edit and deactivate network users."""

from marketplace.accounts.tables import Role, User
from tests.conftest import csrf_token, make_dealer, make_user, sign_in

FORM = {"email": "new.clerk@d001.example", "name": "Nuovo Banco", "role": "dealer_staff", "dealer_code": "d001",
        "language": "it", "password": "a-long-password"}


async def _post(manager, path, **fields):
    token = await csrf_token(manager, "/network/users/new")
    return await manager.post(path, data={"_csrf_token": token, **fields})


async def test_manager_creates_a_dealer_user_who_can_sign_in(manager, app):
    await make_dealer("D001", "20121")
    response = await _post(manager, "/network/users/new", **FORM)
    assert response.status_code == 303
    user = await User.select(User.email, User.role, User.dealer.code).where(User.email == FORM["email"]).first()
    assert user == {"email": "new.clerk@d001.example", "role": "dealer_staff", "dealer.code": "D001"}
    listing = await manager.get("/network/users?q=nuovo")
    assert "new.clerk@d001.example" in listing.text and "personale concessionario" in listing.text

    import httpx

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as clerk:
        assert (await sign_in(clerk, FORM["email"], FORM["password"])).status_code == 303


async def test_bad_user_input_is_refused_with_the_field_named(manager):
    await make_dealer("D001", "20121")
    await make_user("taken@network.example", Role.network_manager)
    cases = [
        ({**FORM, "email": "not-an-email"}, 422, "not a valid email address"),
        ({**FORM, "email": "TAKEN@network.example"}, 409, "exists already"),
        ({**FORM, "role": "king"}, 422, "unknown role"),
        ({**FORM, "dealer_code": ""}, 422, "dealer staff need a dealer"),
        ({**FORM, "dealer_code": "NOPE"}, 422, "nessun concessionario con codice NOPE"),
        ({**FORM, "role": "network_manager"}, 422, "network managers belong to no dealer"),
        ({**FORM, "password": "short"}, 422, "at least 10 characters"),
    ]
    for form, status, message in cases:
        response = await _post(manager, "/network/users/new", **form)
        assert response.status_code == status, form
        assert message in response.text, form
    assert await User.count() == 2  # the manager and the taken address


async def test_deactivating_a_user_ends_their_sessions(manager, app):
    await make_dealer("D001", "20121")
    clerk_user = await make_user("clerk@d001.example", Role.dealer_staff, "D001")
    import httpx

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as clerk:
        await sign_in(clerk, "clerk@d001.example")
        assert (await clerk.get("/")).status_code == 200
        form = {**FORM, "email": "clerk@d001.example", "password": ""}  # no "active": unchecked
        response = await _post(manager, f"/network/users/{clerk_user.id}", **form)
        assert response.status_code == 303
        assert (await clerk.get("/")).status_code == 303
    assert (await User.select(User.active).where(User.id == clerk_user.id).first())["active"] is False


async def test_a_manager_cannot_deactivate_themselves(manager):
    me = await User.select(User.id, User.email).first()
    response = await _post(manager, f"/network/users/{me['id']}", email=me["email"], role="network_manager",
                           language="it")
    assert response.status_code == 422 and "you cannot deactivate yourself" in response.text
    assert (await User.select(User.active).first())["active"] is True
