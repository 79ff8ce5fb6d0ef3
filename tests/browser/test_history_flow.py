"""A member filters the team's history by user and state in Debian's chromium, opens a failed
video job, copies its curl, and reruns it; the history fits a phone's screen."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from playground.history.services import item_record
from tests.browser.conftest import MakePage, log_in, screenshot
from tests.chat.factories import ExchangeFactory
from tests.factories import UserFactory
from tests.videos.factories import VideoJobFactory

PASSWORD = "a-long-test-password"


@pytest.fixture
def team_history(transactional_db: None) -> str:
    """Ada's chat, and two video jobs of Bo's: one failed, one succeeded."""
    ada = UserFactory.create(username="ada", password=PASSWORD)
    bo = UserFactory.create(username="bo")
    chat = ExchangeFactory.create(conversation__user=ada, message="Owls, briefly")
    failed = VideoJobFactory.create(
        user=bo, prompt="a heron in the fog", state="failed", fail_reason="The provider refused."
    )
    done = VideoJobFactory.create(user=bo, prompt="a sunny beach", state="succeeded")
    item_record(kind="chat", source_id=chat.conversation_id)
    item_record(kind="video", source_id=failed.id)
    item_record(kind="video", source_id=done.id)
    return str(failed.id)


def fits_the_width(page: Page) -> bool:
    return bool(
        page.evaluate(
            "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )


def test_a_member_filters_opens_copies_and_reruns(
    live_server: Any, make_page: MakePage, team_history: str
) -> None:
    page = make_page(1366, 900)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, live_server.url, "ada", PASSWORD)
    page.get_by_role("link", name="History", exact=True).click()
    page.wait_for_load_state()  # htmx (deferred) is ready before the filters are used
    expect(page.locator(".history-list .job-row")).to_have_count(3)

    page.get_by_label("User").select_option("bo")
    expect(page).to_have_url(re.compile(r"user=bo"))
    page.get_by_label("State").select_option("failed")
    expect(page).to_have_url(re.compile(r"user=bo&state=failed|state=failed&user=bo"))
    expect(page.locator(".history-list .job-row")).to_have_count(1)
    expect(page.get_by_text("a heron in the fog")).to_be_visible()
    screenshot(page, "history-filtered-1366.png")
    page.reload()  # a clean document after a screenshot (see test_images_flow)

    page.get_by_text("a heron in the fog").click()
    expect(page.get_by_role("heading", name=re.compile("a heron in the fog"))).to_be_visible()
    expect(page.locator(".notice.error", has_text="The provider refused.")).to_be_visible()
    page.get_by_role("button", name="Copy curl").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert "/v1/video/generations" in copied
    assert "$STARRISE_API_KEY" in copied
    assert copied.strip() == page.locator("#snippet-curl").inner_text().strip()
    screenshot(page, "history-detail-1366.png")
    page.reload()

    page.get_by_role("link", name="Rerun").click()
    expect(page).to_have_url(re.compile(rf"/videos/{team_history}/rerun/$"))
    expect(page.get_by_label(re.compile(r"^Prompt")).first).to_have_value("a heron in the fog")


def test_the_history_fits_a_phone(live_server: Any, make_page: MakePage, team_history: str) -> None:
    page = make_page(390, 844)
    log_in(page, live_server.url, "ada", PASSWORD)

    page.goto(f"{live_server.url}/history/?user=bo")
    expect(page.locator(".history-list .job-row")).to_have_count(2)
    assert fits_the_width(page)
    screenshot(page, "history-390.png")

    page.goto(f"{live_server.url}/history/")
    page.get_by_text("a heron in the fog").click()
    expect(page.locator(".notice.error", has_text="The provider refused.")).to_be_visible()
    assert fits_the_width(page)
    screenshot(page, "history-detail-390.png")
