"""From a streamed chat answer to its record in the request inspector, in Debian's chromium, on
a laptop and on a phone: the events are there and long JSON scrolls in its block, not the page."""

from typing import Any

import pytest
from playwright.sync_api import expect

from playground.teamkey.services import team_key_set
from tests.browser.conftest import MakePage, log_in, screenshot
from tests.browser.test_every_page import LAPTOP, PHONE, fits_the_width
from tests.conftest import Simulator
from tests.factories import UserFactory

LONG = "a fox at dawn " + "on-a-very-long-unbroken-storyboard-reference-" * 6


@pytest.mark.parametrize(("width", "height"), [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_a_member_inspects_a_chat_answer(
    live_server: Any, sim: Simulator, make_page: MakePage, width: int, height: int
) -> None:
    team_key_set(actor=None, plaintext=sim.key)
    UserFactory.create(username="grace", password="a-long-test-password")
    page = make_page(width, height)
    log_in(page, live_server.url, "grace", "a-long-test-password")

    page.get_by_label("Message").fill(LONG)
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".bubble.assistant").last).to_contain_text("you said")
    page.get_by_role("link", name="Inspect the request").last.click()

    expect(page.get_by_role("heading", name="Request inspector")).to_be_visible()
    expect(page.get_by_text("Authorization: Bearer [redacted]")).to_be_visible()
    expect(page.locator(".inspector-events")).to_contain_text("data: [DONE]")
    expect(page.get_by_text("First token")).to_be_visible()
    assert sim.key not in page.content()
    screenshot(page, f"inspector-chat-{width}.png")
    assert fits_the_width(page)
