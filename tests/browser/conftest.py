"""Debian's chromium through Playwright, shared by the browser tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "test-artifacts"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

MakePage = Callable[..., Page]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: apt-get install chromium (.ci/run does).")
    # Playwright's sync API keeps an event loop running in this thread, which trips Django's
    # async-safety guard on every ORM call the test and the live server's setup make; nothing
    # here runs concurrently with that loop, so the guard protects nothing.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=FLAGS
        )
        yield browser
        browser.close()


@pytest.fixture
def make_page(browser: Browser) -> Iterator[MakePage]:
    """Opens pages of a given viewport (`make_page(390, 844)`); each fails the test if the
    browser console reported an error on it."""
    contexts: list[BrowserContext] = []
    errors: list[str] = []

    def make(width: int = 1200, height: int = 900) -> Page:
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        return page

    yield make
    for context in contexts:
        context.close()
    assert errors == [], f"the browser console reported errors: {errors}"


@pytest.fixture
def page(make_page: MakePage) -> Page:
    return make_page()


def log_in(page: Page, base_url: str, username: str, password: str) -> None:
    """Logs in through the login form, as a person would."""
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Saves the page under test-artifacts/ (git-ignored), whole or as the screen shows it.

    The whole page is taken through a viewport as tall as the page: Playwright's own full-page
    screenshot keeps the viewport's height for sticky elements, which then show mid-page (and
    its `style` option is an inline style, which the CSP blocks and the console reports)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / name
    size = page.viewport_size
    assert size is not None
    if full_page:
        height = page.evaluate("() => document.documentElement.scrollHeight")
        page.set_viewport_size({"width": size["width"], "height": max(height, size["height"])})
    page.screenshot(path=path)
    page.set_viewport_size(size)
    return path
