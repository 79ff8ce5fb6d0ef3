"""Chat in Debian's chromium: an answer grows as it streams, Stop keeps what came, nothing
from a prompt or an answer runs as script, and the page fits a phone."""

import re
from typing import Any

import pytest
from playwright.sync_api import Dialog, Page, expect

from playground.teamkey.services import team_key_set
from tests.browser.conftest import SCREENSHOTS, MakePage, log_in, screenshot
from tests.chat.xss import PAYLOADS
from tests.conftest import Simulator
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-long-test-password"


@pytest.fixture
def chat_user(sim: Simulator) -> str:
    team_key_set(actor=None, plaintext=sim.key)
    UserFactory.create(username="olive", password=PASSWORD)
    return "olive"


def send(page: Page, message: str) -> None:
    # chat.js is deferred: until it runs, Enter would only add a line.
    expect(page.locator("html")).to_have_class(re.compile(r"\bjs\b"))
    box = page.get_by_label("Message")
    box.fill(message)
    box.press("Enter")


def test_an_answer_grows_while_it_streams_and_stop_keeps_the_rest(
    live_server: Any, sim: Simulator, chat_user: str, make_page: MakePage
) -> None:
    sim.configure(stream_delay_ms=60)
    page = make_page(1366, 900)
    log_in(page, live_server.url, chat_user, PASSWORD)
    expect(page.locator("#model-picker")).to_contain_text("6 chat models available")
    expect(page.get_by_label("Model")).to_have_value("gpt-4o-mini")

    send(page, "tell me a long story " * 12)
    live = page.locator(".live-text").last
    expect(live).to_contain_text("Simulated reply")
    early = live.inner_text()
    expect(live).not_to_have_text(early)  # it grew
    assert page.locator(".exchange[data-status=streaming]").count() == 1, "still streaming"
    # Mid-stream, as the screen shows it; caret="initial", since hiding the caret is done with
    # an inline style, which the CSP blocks and the console reports.
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "chat-streaming-1366.png", caret="initial")
    answer = page.locator(".bubble.assistant.markdown").last
    expect(answer).to_contain_text("so no model was asked.", timeout=20_000)
    expect(page.locator(".usage").last).to_contain_text("tokens")
    expect(page.locator("#conversation-totals")).to_contain_text("This chat so far")

    send(page, "and another long one " * 30)
    expect(page.locator(".live-text").last).to_contain_text("Simulated reply")
    page.get_by_role("button", name="Stop").click()
    expect(page.get_by_text("Stopped: the answer was cut off")).to_be_visible()
    stopped = page.locator(".exchange").last.locator(".bubble.assistant").inner_text()
    assert stopped.startswith("Simulated reply")
    assert "so no model was asked." not in stopped
    page.reload()
    expect(page.locator(".exchange").last).to_contain_text("Stopped: the answer was cut off")
    screenshot(page, "chat-1366.png")


def test_shift_enter_adds_a_line_and_enter_in_model_does_not_send(
    live_server: Any, chat_user: str, page: Page
) -> None:
    log_in(page, live_server.url, chat_user, PASSWORD)
    page.get_by_label("Model").press("Enter")
    box = page.get_by_label("Message")
    box.fill("first line")
    box.press("Shift+Enter")
    box.press_sequentially("second line")
    expect(box).to_have_value("first line\nsecond line")
    expect(page.locator(".exchange")).to_have_count(0)


def test_no_payload_opens_a_dialog(
    live_server: Any, sim: Simulator, chat_user: str, page: Page
) -> None:
    dialogs: list[str] = []

    def refuse(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", refuse)
    log_in(page, live_server.url, chat_user, PASSWORD)
    for payload in PAYLOADS:
        send(page, payload)
        expect(page.locator(".exchange .usage")).to_have_count(
            PAYLOADS.index(payload) + 1, timeout=10_000
        )
    page.reload()
    for bubble in page.locator(".markdown").all():
        bubble.hover()  # mouseover handlers, had any survived
    page.wait_for_timeout(300)
    assert dialogs == []


def test_the_chat_fits_a_phone(
    live_server: Any, sim: Simulator, chat_user: str, make_page: MakePage
) -> None:
    page = make_page(390, 844)
    log_in(page, live_server.url, chat_user, PASSWORD)
    send(page, "A reply with code, please:\n\n```python\nprint('hi')\n```")
    expect(page.locator(".bubble.assistant.markdown").last).to_contain_text(
        "you said", timeout=15_000
    )
    code = page.locator(".bubble.assistant .markdown pre, .bubble.assistant.markdown pre").last
    expect(code).to_contain_text("print('hi')")
    expect(code.get_by_role("button", name="Copy")).to_be_visible()
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px"
    screenshot(page, "chat-390.png")
