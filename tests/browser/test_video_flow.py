"""A member makes a video in Debian's chromium, and every page fits a phone's screen.

A real worker and beat (tests/videos/conftest.py's `e2e`) run each job against the simulator."""

from __future__ import annotations

import hashlib
import re
import time
from typing import Any

import pytest
from playwright.sync_api import Page, Request, expect

from playground.accounts.models import User
from playground.videos.models import VideoJob
from playground.videos.services import video_job_create
from playground.videos.views import TABS
from tests.browser.conftest import MakePage, log_in, screenshot
from tests.factories import AdminFactory, UserFactory
from tests.videos.helpers import wait_final

PASSWORD = "a-long-test-password"
JOB_PATH = re.compile(r"/videos/([0-9a-f-]{36})/$")
FINAL_TIMEOUT_MS = 60_000
QUIET_SECONDS = 5
# A long prompt with an unbroken URL in it: the pages must wrap it, not scroll sideways.
LONG_PROMPT = (
    "A red fox trots through fresh snow at dawn, its breath steaming, the camera low and "
    "following; reference https://example.com/storyboards/winter/fox-at-dawn-" + "x" * 90 + ".png"
)


def kling_text(user: User, prompt: str) -> VideoJob:
    params = {
        "model_name": "kling-v1-6",
        "prompt": prompt,
        "negative_prompt": "",
        "mode": "std",
        "duration": 5,
        "aspect_ratio": "16:9",
        "cfg_scale": None,
        "camera_control": None,
    }
    return video_job_create(user=user, action=VideoJob.Action.TEXT2VIDEO, params=params)


def fits_the_width(page: Page) -> bool:
    return bool(
        page.evaluate(
            "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )


@pytest.mark.usefixtures("e2e")
def test_a_member_generates_a_kling_video_and_watches_it_without_reloading(
    live_server: Any, make_page: MakePage
) -> None:
    UserFactory.create(username="grace", password=PASSWORD)
    page = make_page(1366, 900)
    polls: list[float] = []

    def count_poll(request: Request) -> None:
        if JOB_PATH.search(request.url) and request.headers.get("hx-request") == "true":
            polls.append(time.monotonic())

    page.on("request", count_poll)

    log_in(page, live_server.url, "grace", PASSWORD)
    page.get_by_role("link", name="Videos").click()
    page.get_by_role("link", name="Kling text").click()
    expect(page).to_have_url(re.compile(r"/videos/\?tab=text2video$"))
    page.get_by_label(re.compile(r"^Prompt")).fill("A fox in snow, filmed from the browser test")
    screenshot(page, "video-form-1366.png")
    page.get_by_role("button", name="Generate").click()

    expect(page).to_have_url(JOB_PATH)
    match = JOB_PATH.search(page.url)
    assert match is not None
    job_id = match[1]
    expect(page.locator("#job-live .state")).to_have_text(
        re.compile("Queued|Submitting|Running|Archiving")
    )
    # A mark on this document: a reload or a navigation would lose it.
    page.evaluate("() => { window.sameDocument = true; }")

    video = page.locator("#job-live video")
    expect(video).to_be_visible(timeout=FINAL_TIMEOUT_MS)
    finished_at = time.monotonic()
    polls_before = len(polls)
    expect(page.locator("#job-live .state")).to_have_text("Succeeded")
    assert page.evaluate("() => window.sameDocument === true"), "the job page was reloaded"
    assert video.get_attribute("src") == f"/videos/{job_id}/video.mp4"

    # Chromium loads the archived MP4's metadata (preload="metadata"): it can play it.
    page.wait_for_function(
        "() => { const v = document.querySelector('#job-live video');"
        " return v.readyState >= 1 && v.duration > 0; }",
        timeout=15_000,
    )
    ready_state, duration = page.evaluate(
        "() => { const v = document.querySelector('#job-live video');"
        " return [v.readyState, v.duration]; }"
    )
    assert ready_state >= 1
    assert duration > 0

    # The src is the archived copy, served in ranges.
    job = VideoJob.objects.get(id=job_id)
    assert job.state == VideoJob.State.SUCCEEDED
    src = f"{live_server.url}/videos/{job_id}/video.mp4"
    whole = page.request.get(src)
    assert whole.headers["content-type"] == "video/mp4"
    assert hashlib.sha256(whole.body()).hexdigest() == job.video_sha256
    part = page.request.get(src, headers={"Range": "bytes=0-99"})
    assert part.status == 206
    assert part.body()[4:8] == b"ftyp"

    screenshot(page, "video-job-1366.png")

    # The final state came without the trigger, so the polling stopped.
    page.wait_for_timeout(QUIET_SECONDS * 1000)
    assert polls_before >= 1, "the job page never polled"
    late = [at for at in polls if at > finished_at]
    assert late == [], f"{len(late)} polls after the final state"
    assert len(polls) == polls_before


@pytest.mark.usefixtures("e2e")
def test_every_page_fits_a_phone_and_a_laptop_without_sideways_scrolling(
    live_server: Any, make_page: MakePage
) -> None:
    admin = AdminFactory.create(username="ada", password=PASSWORD)
    done = kling_text(admin, LONG_PROMPT)
    failed = kling_text(admin, "A fox in snow [fault:kling-1301]")
    wait_final([done, failed])
    assert done.state == VideoJob.State.SUCCEEDED, done.fail_reason
    assert failed.state == VideoJob.State.FAILED, failed.state

    pages = [(f"videos-{tab}", f"/videos/?tab={tab}") for tab, _label in TABS]
    pages += [
        ("job-succeeded", f"/videos/{done.id}/"),
        ("job-failed", f"/videos/{failed.id}/"),
        ("team-key", "/team-key/"),
        ("chat", "/"),
    ]
    for prefix, width, height in (("phone", 390, 844), ("laptop", 1366, 900)):
        page = make_page(width, height)
        log_in(page, live_server.url, "ada", PASSWORD)
        too_wide = []
        for name, path in pages:
            page.goto(f"{live_server.url}{path}")
            expect(page.get_by_role("button", name="Log out")).to_be_visible()
            screenshot(page, f"{prefix}-{name}.png")
            if name == "videos-seedance":  # the longest form: Generate stays on the screen
                expect(page.get_by_role("button", name="Generate")).to_be_in_viewport()
                screenshot(page, f"{prefix}-{name}-screen.png", full_page=False)
            if not fits_the_width(page):
                too_wide.append(path)
        assert too_wide == [], f"these pages scroll sideways at {width}px: {too_wide}"
