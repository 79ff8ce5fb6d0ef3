"""A person's first session, in Debian's chromium: set the key, test it, chat."""

import re
from typing import Any

from playwright.sync_api import Page, expect

from playground.chat.models import ChatExchange
from tests.browser.conftest import SCREENSHOTS, MakePage, log_in, screenshot
from tests.chat.factories import ExchangeFactory
from tests.conftest import Simulator
from tests.factories import AdminFactory, UserFactory


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


def test_a_teammate_sees_an_answer_end_without_reloading(
    live_server: Any, transactional_db: None, make_page: MakePage
) -> None:
    UserFactory.create(username="olive", password="a-long-test-password")
    theirs = ExchangeFactory.create(
        conversation__user__username="bob", status="streaming", reply="The first half"
    )
    page = make_page(390, 844)
    log_in(page, live_server.url, "olive", "a-long-test-password")
    page.goto(f"{live_server.url}/chat/{theirs.conversation_id}/")
    page.evaluate("() => { window.sameDocument = true; }")  # gone if the page reloads
    expect(page.get_by_text("Answering…")).to_be_visible()

    ChatExchange.objects.filter(id=theirs.id).update(
        status="done", reply="The first half, and the second."
    )

    expect(page.get_by_text("The first half, and the second.")).to_be_visible(timeout=6_000)
    expect(page.get_by_text("Answering…")).to_have_count(0)
    assert page.evaluate("() => window.sameDocument") is True
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.wait_for_timeout(4_500)  # two more polls' worth: none is made
    assert not [url for url in asked if "/chat/messages/" in url]
    screenshot(page, "chat-teammate-390.png")
