"""Playwright (sync API) against pytest-django's ``live_server``, with Debian's Chromium.

One browser for the whole session and a fresh context (cookies, storage) per test. The tests are
skipped, and only then, when there is no Chromium at /usr/bin/chromium.
"""

import os
from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from tests.support import restore_shipped_data

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, on 127.0.0.1.

    Django's test server wraps the site in a handler for media files that needs a MEDIA_URL;
    the project has none on purpose (uploads are streamed by a permission-checked view), so the
    handler gets a prefix that no page links to, fixed while the server starts."""
    from django.test import override_settings
    from pytest_django.live_server_helper import LiveServer

    addr = (
        request.config.getvalue("liveserver")
        or os.environ.get("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "127.0.0.1"
    )
    with override_settings(MEDIA_URL="/__media-not-served__/"):
        server = LiveServer(addr)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}: browser tests skipped")
    # Playwright's sync API runs an event loop; tests/conftest.py already allows Django's ORM
    # beside it, this makes sure of it even when this conftest is loaded on its own.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser, live_server):
    """``new_context(viewport=...)``: a fresh browser context on the live server; closed after
    the test."""
    contexts = []

    def make(**kwargs):
        kwargs.setdefault("viewport", DESKTOP)
        context = browser.new_context(base_url=live_server.url, **kwargs)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    """A page in a fresh desktop context. JavaScript errors on the page fail the test. The
    shipped data (metric library, checklists) is put back first: the live server's
    transactional database is emptied after every test."""
    restore_shipped_data()
    page = new_context().new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    assert not errors, f"JavaScript errors on the page: {errors}"


def log_in(page, user, password: str = PASSWORD) -> None:
    """Sign in through the login form, as a person would."""
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert "/accounts/login/" not in page.url, "sign-in failed"


@pytest.fixture
def signed_in(page, outsourcing_user):
    """A page signed in as a user of the outsourcing team."""
    log_in(page, outsourcing_user)
    return page
