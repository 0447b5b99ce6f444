"""Browser tests: the real server in a subprocess, driven by a headless Chromium.

The server reads the same throwaway database as the rest of the suite
(``MARKETPLACE_DATABASE_URL``, set by the root conftest), so rows the tests make with the
root helpers are what the browser sees.
"""

from __future__ import annotations

import os

import pytest

from tests.live_server import live_server  # noqa: F401  (fixture)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
async def browser():
    """One headless Chromium for the run (skipped locally, failed on CI, when it is missing)."""
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        _unavailable("Playwright not installed: pip install playwright")
    if not os.path.exists(CHROMIUM):
        _unavailable("Chromium not installed: apt-get install chromium")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


@pytest.fixture
async def page(browser):
    """A fresh page in its own context (no cookies), Italian locale."""
    context = await browser.new_context(locale="it-IT")
    try:
        yield await context.new_page()
    finally:
        await context.close()
