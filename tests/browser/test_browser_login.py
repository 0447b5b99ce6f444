"""The sign-in journey in a real headless Chromium against the running server."""

from __future__ import annotations

import re

import pytest

from marketplace.accounts.tables import Role
from tests.conftest import PASSWORD, make_dealer, make_user

try:
    from playwright.async_api import expect
except ImportError:  # the browser fixture skips (or fails on CI) with the reason
    expect = None

EMAIL = "clerk@d001.example"
DEALER_NAME = "Ricambi Milano Centro"
SCREENSHOT = "/tmp/home.png"


@pytest.fixture
async def clerk_account():
    await make_dealer("D001", "20121", name=DEALER_NAME)
    await make_user(EMAIL, Role.dealer_staff, "D001")


def at(base_url: str, path: str) -> re.Pattern:
    """The URL ``base_url + path``, any query string allowed."""
    return re.compile(re.escape(base_url + path) + r"(\?.*)?$")


async def sign_in_with_keyboard(page, email: str, password: str) -> None:
    await expect(page.locator("#email")).to_be_focused()
    await page.keyboard.type(email)
    await page.keyboard.press("Tab")
    await expect(page.locator("#password")).to_be_focused()
    await page.keyboard.type(password)
    await page.keyboard.press("Enter")


async def test_sign_in_switch_language_and_sign_out(page, live_server, clerk_account):
    await page.goto(f"{live_server}/")
    await expect(page).to_have_url(at(live_server, "/login"))
    await expect(page.locator("html")).to_have_attribute("lang", "it")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Accedi")
    # Keyboard first: the email field has focus as soon as the page loads.
    assert await page.evaluate("document.activeElement && document.activeElement.id") == "email"

    await sign_in_with_keyboard(page, EMAIL, PASSWORD)

    await expect(page).to_have_url(f"{live_server}/")
    await expect(page.get_by_role("heading", level=1)).to_have_text(DEALER_NAME)
    await expect(page.locator("header .me")).to_contain_text(EMAIL)
    await expect(page.get_by_role("button", name="Esci")).to_be_visible()
    await page.screenshot(path=SCREENSHOT, full_page=True)

    await page.get_by_role("button", name="EN", exact=True).click()
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page).to_have_url(f"{live_server}/")
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    await page.get_by_role("button", name="Sign out").click()
    await expect(page).to_have_url(at(live_server, "/login"))
    await expect(page.locator("#email")).to_be_visible()
    await expect(page.get_by_role("button", name="Sign out")).to_have_count(0)

    # The session is gone: home sends us back to the sign-in page.
    await page.goto(f"{live_server}/")
    await expect(page).to_have_url(at(live_server, "/login"))
    await expect(page.locator("#email")).to_be_visible()


async def test_wrong_password_shows_the_error_and_stays_on_login(page, live_server, clerk_account):
    await page.goto(f"{live_server}/login")
    await sign_in_with_keyboard(page, EMAIL, "not-the-password")

    await expect(page.get_by_role("alert")).to_have_text("email o password errate")
    await expect(page).to_have_url(at(live_server, "/login"))
    await expect(page.locator("#email")).to_have_value(EMAIL)
    await expect(page.get_by_role("button", name="Esci")).to_have_count(0)


async def test_dealer_staff_gets_the_403_page_on_the_dealer_directory(page, live_server, clerk_account):
    await page.goto(f"{live_server}/login")
    await sign_in_with_keyboard(page, EMAIL, PASSWORD)
    await expect(page).to_have_url(f"{live_server}/")

    response = await page.goto(f"{live_server}/network/dealers")
    assert response is not None and response.status == 403
    await expect(page.get_by_role("heading", level=1)).to_have_text("Non consentito")
    await expect(page.locator("main .error")).to_have_text("il tuo ruolo non consente questa operazione")
