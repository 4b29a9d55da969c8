"""Browser tests: Playwright (Python) driving Debian's chromium against the live server."""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM (used by fixtures)
# refuses to run "inside" one unless told it is safe, which it is here: one thread, no async.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"chromium not found at {CHROMIUM}: run scripts/ensure_browser.sh")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def signed_in(browser, live_server):
    """``signed_in(user, locale)``: a browser context carrying ``user``'s session and a page
    in it (signed in the way Django's test client does it, so the story starts on the page
    under test). Returns ``(context, page)``; close the context when done."""
    from django.conf import settings
    from django.test import Client

    def open_as(user, locale="en-US", **options):
        client = Client()
        client.force_login(user)
        context = browser.new_context(base_url=live_server.url, locale=locale, **options)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        page = context.new_page()
        page.set_default_timeout(15000)
        return context, page

    return open_as


@pytest.fixture
def screenshot(page, request):
    """Save a screenshot under test-artifacts/ (kept for humans to look at)."""

    def take(name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
