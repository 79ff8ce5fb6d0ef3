"""A person's first session, in Debian's chromium: set the key, test it, chat."""

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.conftest import ROOT, Simulator
from tests.factories import AdminFactory

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
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield page
    context.close()
    assert errors == [], f"the browser console reported errors: {errors}"


def test_an_admin_sets_the_key_tests_it_and_chats(
    live_server: Any, sim: Simulator, page: Page
) -> None:
    AdminFactory.create(username="ada", password="a-long-test-password")

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("link", name="Team key").click()
    page.get_by_label("Team API key").fill(sim.key)
    page.get_by_role("button", name="Save key").click()
    expect(page.get_by_text("sk-…a1b2").first).to_be_visible()
    assert sim.key not in page.content()
    page.get_by_role("button", name="Test key").click()
    expect(page.get_by_text("works", exact=False).first).to_be_visible()

    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "team-key.png", full_page=True)

    page.get_by_role("link", name="Chat").click()
    page.get_by_label("Model").fill("claude-3-5-sonnet-20241022")
    page.get_by_label("Message").fill("Hello from the browser test")
    page.get_by_role("button", name="Send").click()
    answer = page.locator(".bubble.assistant").last
    expect(answer).to_contain_text('you said "Hello from the browser test"')
    expect(page.locator(".usage").last).to_contain_text("tokens")
    expect(page).to_have_url(re.compile(r"/chat/\d+/$"))  # htmx pushed the conversation's URL

    expect(page.locator("#recent")).to_contain_text("Hello from the browser test")

    page.screenshot(path=SCREENSHOTS / "chat.png", full_page=True)
