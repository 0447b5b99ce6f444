"""Sign-in, sign-out, CSRF and role guards, as a browser sees them over HTTP."""

from marketplace.accounts.sign_in_throttle import FREE_FAILURES
from marketplace.accounts.tables import LoginAttempt, Role, User, WebSession
from marketplace.accounts.users import authenticate
from tests.conftest import PASSWORD, csrf_token, make_dealer, make_user, sign_in


async def test_anonymous_page_visit_redirects_to_login_with_next(client):
    response = await client.get("/network/dealers")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/network/dealers"


async def test_sign_in_then_out(client):
    await make_user("boss@network.example", Role.network_manager)
    response = await sign_in(client, "BOSS@network.example ")  # typed carelessly
    assert response.status_code == 303 and response.headers["location"] == "/"
    home = await client.get("/")
    assert home.status_code == 200 and "boss@network.example" in home.text
    stored = await WebSession.select(WebSession.token_hash).first()
    assert stored["token_hash"] != client.cookies["mk_session"]  # only the hash is kept

    token = await csrf_token(client, "/")
    response = await client.post("/logout", data={"_csrf_token": token})
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert await WebSession.count() == 0
    assert (await client.get("/")).status_code == 303


async def test_sign_in_goes_to_next_but_never_off_site(client):
    await make_user("boss@network.example", Role.network_manager)
    token = await csrf_token(client)
    form = {"email": "boss@network.example", "password": PASSWORD, "_csrf_token": token}
    response = await client.post("/login", data={**form, "next": "/catalog"})
    assert response.headers["location"] == "/catalog"
    response = await client.post("/login", data={**form, "next": "//evil.example/x"})
    assert response.headers["location"] == "/"


async def test_wrong_password_shows_the_form_again(client):
    await make_user("boss@network.example", Role.network_manager)
    response = await sign_in(client, "boss@network.example", "not-the-password")
    assert response.status_code == 422
    assert "email o password errate" in response.text
    assert 'value="boss@network.example"' in response.text
    assert "mk_session" not in client.cookies
    assert await WebSession.count() == 0


async def test_unknown_email_answers_like_a_wrong_password(client):
    response = await sign_in(client, "nobody@network.example")
    assert response.status_code == 422 and "email o password errate" in response.text


async def test_failures_from_one_address_make_that_address_wait_not_the_owner(client):
    await make_user("boss@network.example", Role.network_manager)
    for _ in range(FREE_FAILURES):
        assert (await sign_in(client, "boss@network.example", "wrong-password!")).status_code == 422
    response = await sign_in(client, "boss@network.example")  # even the right password waits, from here
    assert response.status_code == 429
    assert "riprova tra un minuto" in response.text and "altri luoghi" in response.text
    assert await LoginAttempt.count().where(LoginAttempt.succeeded.eq(True)) == 0
    # The owner, elsewhere, signs in.
    assert await authenticate("boss@network.example", PASSWORD, "198.51.100.7")
    # Another account from this address is not affected.
    await make_user("anna@network.example", Role.network_manager)
    assert (await sign_in(client, "anna@network.example")).status_code == 303


async def test_deactivated_user_loses_open_sessions_and_cannot_sign_in(client):
    from marketplace.accounts.users import UserInput, update_user

    user = await make_user("old@network.example", Role.network_manager)
    await sign_in(client, "old@network.example")
    assert (await client.get("/")).status_code == 200
    await update_user(user.id, UserInput(email=user.email, role=user.role), active=False)
    assert (await client.get("/")).status_code == 303
    assert (await sign_in(client, "old@network.example")).status_code == 422


async def test_users_of_an_inactive_dealer_cannot_sign_in(client):
    await make_dealer("D009", "00184")
    await make_user("clerk@d009.example", Role.dealer_staff, "D009")
    from marketplace.network.dealers import set_dealer_active

    await set_dealer_active("D009", False)
    assert (await sign_in(client, "clerk@d009.example")).status_code == 422


async def test_form_posts_without_csrf_token_are_refused(client):
    await make_user("boss@network.example", Role.network_manager)
    await client.get("/login")  # has the cookie, but the form lacks the token
    response = await client.post("/login", data={"email": "boss@network.example", "password": PASSWORD})
    assert response.status_code == 403
    assert "mk_session" not in client.cookies


async def test_csrf_token_of_another_browser_is_refused(app, client):
    import httpx

    await make_user("boss@network.example", Role.network_manager)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as other:
        foreign_token = await csrf_token(other)
    await client.get("/login")
    response = await client.post(
        "/login", data={"email": "boss@network.example", "password": PASSWORD, "_csrf_token": foreign_token}
    )
    assert response.status_code == 403


async def test_dealer_staff_cannot_reach_manager_pages(clerk):
    for path in ("/network/dealers", "/network/users", "/catalog/import", "/api-keys"):
        response = await clerk.get(path)
        assert response.status_code == 403, path
        assert "Non consentito" in response.text


async def test_dealer_staff_cannot_post_to_manager_forms(clerk):
    token = await csrf_token(clerk, "/")
    response = await clerk.post("/network/dealers/new", data={"_csrf_token": token, "code": "X1", "name": "X",
                                                             "postal_code": "20121"})
    assert response.status_code == 403
    from marketplace.network.tables import Dealer

    assert not await Dealer.exists().where(Dealer.code == "X1")


async def test_language_switch_sticks_to_the_user(clerk):
    token = await csrf_token(clerk, "/")
    response = await clerk.post("/language", data={"_csrf_token": token, "language": "en", "next": "/catalog"})
    assert response.status_code == 303 and response.headers["location"] == "/catalog"
    assert "Sign out" in (await clerk.get("/")).text
    assert (await User.select(User.language).where(User.email == "clerk@d001.example").first())["language"] == "en"
    clerk.cookies.delete("lang")
    assert "Sign out" in (await clerk.get("/")).text  # from the stored preference
