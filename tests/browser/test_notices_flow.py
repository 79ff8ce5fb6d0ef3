"""A job ends while its owner has pages open: the badge and a toast appear on each without a
reload, nothing on anyone else's; browser notifications only when asked for, on a click."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from playground.notices.models import Notice, Preference
from playground.notices.services import notice_raise
from playground.teamkey.services import team_key_set
from playground.videos.models import VideoJob
from tests.browser.conftest import MakePage, log_in, screenshot
from tests.conftest import Simulator
from tests.factories import UserFactory
from tests.notices.test_services import run_to_the_end
from tests.videos.factories import VideoJobFactory

PASSWORD = "a-long-test-password"
PROMPT = "A red fox trots through fresh snow at dawn, https://example.com/" + "x" * 80
# Stands in for the browser's Notification API, which headless Chromium cannot show: records
# what the page asked for, starts with the given permission, and grants it when asked. The
# page is made to look hidden, the case where a notification is shown at all.
FAKE_NOTIFICATIONS = """
window.shown = [];
let permission = "%s";
window.Notification = class {
  constructor(title, options) { window.shown.push({title, ...options}); }
  addEventListener() {}
  close() {}
  static get permission() { return permission; }
  static requestPermission() { permission = "granted"; return Promise.resolve(permission); }
};
Object.defineProperty(document, "visibilityState", {get: () => "hidden"});
"""


@pytest.fixture
def site(
    transactional_db: None,
    sim: Simulator,
    live_server: Any,
    settings: Any,
    media_root: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> str:
    # The session's worker, if a test before this one started it, may take the job's steps
    # too (its sweeper sees the same database): both keep the video in the one media folder.
    settings.MEDIA_ROOT = str(media_root)
    settings.VIDEO_CALLBACKS = False
    settings.NOTICE_POLL_SECONDS = 1  # the tests wait for it
    # The test takes the job's steps itself: nothing goes to the broker.
    monkeypatch.setattr(
        "playground.videos.services.job_wake", lambda job_id, due=None, priority=0: None
    )
    team_key_set(actor=None, plaintext=sim.key)
    return str(live_server.url)


def opened(make_page: MakePage, url: str, username: str, width: int, height: int) -> Page:
    page = make_page(width, height)
    log_in(page, url, username, PASSWORD)
    page.goto(f"{url}/history/")
    page.evaluate("() => { window.sameDocument = true; }")  # gone if the page reloads
    return page


def test_a_finished_job_shows_its_owner_a_toast_and_the_badge_without_a_reload(
    site: str, make_page: MakePage
) -> None:
    ada = UserFactory.create(username="ada", password=PASSWORD)
    UserFactory.create(username="grace", password=PASSWORD)
    laptop = opened(make_page, site, "ada", 1366, 900)
    phone = opened(make_page, site, "ada", 390, 844)
    other = opened(make_page, site, "grace", 1366, 900)
    for page in (laptop, phone, other):
        expect(page.locator("#notice-badge")).to_have_attribute("hx-get", re.compile("after="))

    job = run_to_the_end(VideoJobFactory.create(user=ada, prompt=PROMPT))
    assert job.state == VideoJob.State.SUCCEEDED

    for page in (laptop, phone):
        toast = page.locator(".toast")
        expect(toast).to_have_count(1, timeout=10_000)
        expect(toast).to_contain_text("Your video is ready")
        expect(page.locator("#notice-badge .notice-count")).to_have_text(re.compile(r"^1\b"))
        assert page.evaluate("() => window.sameDocument") is True
    screenshot(laptop, "notices-laptop-toast.png", full_page=False)
    screenshot(phone, "notices-phone-toast.png", full_page=False)
    assert phone.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )

    phone.get_by_role("button", name="Dismiss").click()
    expect(phone.locator(".toast")).to_have_count(0)
    assert Notice.objects.get().seen_at is not None
    expect(laptop.locator("#notice-badge .notice-count")).to_have_count(0, timeout=5_000)

    laptop.locator(".toast a").click()
    expect(laptop).to_have_url(re.compile(rf"/videos/{job.id}/$"))

    expect(other.locator("#notice-badge")).to_have_attribute(
        "hx-get", re.compile(r"after=0$")
    )  # it has asked again since the job ended
    expect(other.locator(".toast")).to_have_count(0)
    expect(other.locator("#notice-badge .notice-count")).to_have_count(0)


def raise_one(user_id: int) -> None:
    notice_raise(
        user_id=user_id,
        kind=Notice.Kind.VIDEO,
        source_id=uuid.uuid4(),
        title="a fox in snow",
        outcome=Notice.Outcome.FAILED,
    )


@pytest.mark.parametrize("turned_on", [True, False])
def test_a_hidden_tab_shows_a_browser_notification_only_when_turned_on(
    site: str, make_page: MakePage, turned_on: bool
) -> None:
    ada = UserFactory.create(username="ada", password=PASSWORD)
    Preference.objects.create(user=ada, browser_notifications=turned_on)
    page = make_page(1366, 900)
    page.add_init_script(FAKE_NOTIFICATIONS % "granted")
    log_in(page, site, "ada", PASSWORD)
    expect(page.locator("#notice-badge")).to_have_attribute("hx-get", re.compile("after="))

    raise_one(ada.id)

    expect(page.locator(".toast")).to_have_count(1, timeout=10_000)
    shown = page.evaluate("() => window.shown")
    if turned_on:
        assert [(n["title"], n["body"]) for n in shown] == [
            ("Your video job failed", "a fox in snow")
        ]
        assert shown[0]["tag"] == f"notice-{Notice.objects.get().id}"
    else:
        assert shown == []


def test_the_browser_is_asked_for_permission_only_on_the_click(
    site: str, make_page: MakePage
) -> None:
    ada = UserFactory.create(username="ada", password=PASSWORD)
    page = make_page(390, 844)
    page.add_init_script(FAKE_NOTIFICATIONS % "default")
    log_in(page, site, "ada", PASSWORD)
    page.goto(f"{site}/notices/settings/")
    box = page.get_by_label("Browser notifications")
    expect(box).not_to_be_checked()
    assert page.evaluate("() => Notification.permission") == "default"  # not asked on load

    page.get_by_role("button", name="Enable browser notifications").click()

    expect(page.get_by_text("This browser will show notifications.")).to_be_visible()
    expect(box).to_be_checked()
    expect(page.get_by_role("button", name="Enable browser notifications")).to_be_hidden()
    screenshot(page, "notices-phone-settings-granted.png")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your notice settings are saved.")).to_be_visible()
    assert Preference.objects.get(user=ada).browser_notifications


def test_a_burst_of_notices_shows_only_the_newest_toasts(site: str, make_page: MakePage) -> None:
    ada = UserFactory.create(username="ada", password=PASSWORD)
    laptop = make_page(1366, 900)
    phone = make_page(390, 844)
    for page in (laptop, phone):
        log_in(page, site, "ada", PASSWORD)
        expect(page.locator("#notice-badge")).to_have_attribute("hx-get", re.compile("after="))

    for _ in range(5):
        raise_one(ada.id)

    newest = Notice.objects.order_by("-id")[0]
    for page, shown in ((laptop, 3), (phone, 2)):
        expect(page.locator(".toast")).to_have_count(5, timeout=10_000)
        expect(page.locator(".toast:visible")).to_have_count(shown)
        expect(page.locator(f'.toast[data-id="{newest.id}"]')).to_be_visible()
        expect(page.locator("#notice-badge .notice-count")).to_have_text(re.compile(r"^5\b"))
    screenshot(phone, "notices-phone-burst.png", full_page=False)
