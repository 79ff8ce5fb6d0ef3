"""A member picks a library prompt with a variable inside the image form, on a phone, and the
form's prompt is filled in; without JavaScript the same choice goes through the library page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from playground.prompts.models import Prompt
from tests.browser.conftest import MakePage, log_in, screenshot
from tests.conftest import Simulator
from tests.factories import UserFactory
from tests.prompts.factories import PromptFactory

PASSWORD = "a-long-test-password"
PHONE = (390, 844)
FILLED = "Three lanterns over a harbour at night, drawn in ink"


@pytest.fixture
def library(transactional_db: None, sim: Simulator, settings: Any, tmp_path: Any) -> Prompt:
    settings.MEDIA_ROOT = tmp_path / "media"
    UserFactory.create(username="ada", password=PASSWORD)
    PromptFactory.create(title="Be terse", kind=Prompt.Kind.SYSTEM, text="Answer in one line.")
    return PromptFactory.create(
        title="Harbour lanterns",
        text="{{count}} lanterns over a harbour at night, drawn in {{medium}}",
        tags="harbour,night",
    )


def fits_the_width(page: Page) -> bool:
    return bool(
        page.evaluate(
            "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )


def test_a_member_fills_the_image_prompt_from_the_library_on_a_phone(
    live_server: Any, make_page: MakePage, library: Prompt
) -> None:
    page = make_page(*PHONE)
    log_in(page, live_server.url, "ada", PASSWORD)
    page.goto(f"{live_server.url}/images/")

    page.get_by_role("link", name="From library").click()
    picker = page.locator("#prompt-picker-body")
    expect(picker.get_by_role("link", name="Harbour lanterns")).to_be_visible()
    expect(picker.get_by_text("Be terse")).to_have_count(0)  # system prompts are for the chat
    picker.get_by_role("link", name="Harbour lanterns").click()
    picker.get_by_label("count").fill("Three")
    picker.get_by_label("medium").fill(" ")  # passes the browser's `required`, not the server
    picker.get_by_role("button", name="Fill in").click()
    expect(picker.get_by_text("Give a value for this variable.")).to_be_visible()
    picker.get_by_label("medium").fill("ink")
    picker.get_by_role("button", name="Fill in").click()

    expect(page.get_by_label(re.compile(r"^Prompt"))).to_have_value(FILLED)
    expect(page.get_by_label(re.compile(r"^Prompt"))).to_be_focused()
    expect(page).to_have_url(re.compile(r"/images/$"))  # no page load
    screenshot(page, "prompts-picker-filled-390.png")
    assert fits_the_width(page)
    library.refresh_from_db()
    assert library.use_count == 1

    picker.get_by_role("button", name="Close").click()
    expect(picker).to_be_empty()


def test_without_javascript_the_library_page_fills_the_form(
    live_server: Any, browser: Browser, library: Prompt
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/videos/%3Ftab%3Dtext2video")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("link", name="From library").click()
    expect(page.get_by_text("Pick a prompt to fill in the Videos form.")).to_be_visible()
    page.get_by_role("link", name="Harbour lanterns").click()
    page.get_by_label("count").fill("Three")
    page.get_by_label("medium").fill("ink")
    screenshot(page, "prompts-use-no-javascript-390.png")
    page.get_by_role("button", name="Fill in").click()

    expect(page).to_have_url(re.compile(r"/videos/\?tab=text2video&prompt="))
    expect(page.get_by_label(re.compile(r"^Prompt"))).to_have_value(FILLED)
    context.close()


def test_a_system_prompt_fills_the_chats_system_prompt(
    live_server: Any, make_page: MakePage, library: Prompt
) -> None:
    page = make_page(1366, 900)
    log_in(page, live_server.url, "ada", PASSWORD)  # lands on a new chat

    page.get_by_role("link", name="From library").click()
    page.get_by_role("link", name="Be terse").click()
    page.get_by_role("button", name="Fill in").click()

    expect(page.get_by_label("System prompt")).to_have_value("Answer in one line.")
    expect(page.get_by_label("Message")).to_have_value("")
