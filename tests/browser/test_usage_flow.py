"""The usage dashboard in Debian's chromium at a laptop's and a phone's width, and a daily limit
an admin sets that the member then meets on the video form."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from playground.accounts.models import User
from playground.usage.models import Quota
from playground.videos.models import VideoJob
from tests.browser.conftest import MakePage, log_in, screenshot
from tests.conftest import Simulator
from tests.factories import AdminFactory, UserFactory
from tests.usage.conftest import chat_on, days_ago, gateway_requests, images_on, video_on

PASSWORD = "a-long-test-password"
LONG_NAME = "grace-with-a-rather-long-username-" + "x" * 20


def fits_the_width(page: Page) -> bool:
    return bool(
        page.evaluate(
            "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )


@pytest.fixture
def team(transactional_db: None) -> tuple[User, User]:
    """An admin and a member, and a month of the team's use."""
    ada = AdminFactory.create(username="ada", password=PASSWORD)
    grace = UserFactory.create(username="grace", password=PASSWORD)
    long_named = UserFactory.create(username=LONG_NAME)
    for day in range(0, 30, 2):
        chat_on(ada, days_ago(day), prompt=400 + day * 10, completion=120)
        chat_on(grace, days_ago(day), prompt=200, completion=80 + day)
        images_on(grace, days_ago(day), images=day % 4 + 1)
    chat_on(long_named, days_ago(1), prompt=900, completion=10)
    video_on(grace, days_ago(0), duration=10, model="kling-v1-6")
    video_on(
        grace,
        days_ago(3),
        state=VideoJob.State.FAILED,
        fail_reason="https://example.com/" + "y" * 120 + " could not be fetched. Try again.",
    )
    return ada, grace


@pytest.mark.parametrize(("width", "height"), [(1366, 900), (390, 844)])
def test_the_dashboard_draws_the_team_and_fits_the_screen(
    live_server: Any, make_page: MakePage, team: tuple[User, User], width: int, height: int
) -> None:
    page = make_page(width, height)
    log_in(page, live_server.url, "grace", PASSWORD)
    page.goto(f"{live_server.url}/usage/?period=30")
    chart = page.get_by_role("img", name=re.compile("The team's chat tokens per day"))
    expect(chart).to_be_visible()
    expect(page.locator("rect.bar")).to_have_count(15 + 15 + 1)  # chat on ada's, grace's days
    legend = page.get_by_role("list", name="Users")
    expect(legend.get_by_role("listitem")).to_have_text(["ada", "grace", LONG_NAME])
    # The table also has grace's day with only a failed video job, which has no chat tokens.
    expect(page.locator("#usage-days tbody tr")).to_have_count(15 + 15 + 1 + 1)
    screenshot(page, f"usage-dashboard-{width}.png")
    assert fits_the_width(page), f"the dashboard scrolls sideways at {width} px"


def test_the_period_form_redraws_the_report_in_place(
    live_server: Any, make_page: MakePage, team: tuple[User, User]
) -> None:
    page = make_page(1366, 900)
    log_in(page, live_server.url, "grace", PASSWORD)
    page.get_by_role("link", name="Usage").click()
    expect(page.locator("rect.bar")).to_have_count(4 + 4 + 1)  # the last 7 days
    page.evaluate("() => { window.sameDocument = true; }")
    page.get_by_label("Chart").select_option("images")
    page.get_by_label("Period").select_option("90")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"period=90"))
    expect(page.get_by_role("img", name=re.compile("The team's images per day"))).to_be_visible()
    expect(page.locator("rect.bar")).to_have_count(15)
    assert page.evaluate("() => window.sameDocument === true"), "the page was reloaded"


def test_an_admins_video_limit_of_zero_stops_the_members_generate(
    live_server: Any, make_page: MakePage, team: tuple[User, User], sim: Simulator
) -> None:
    _, grace = team
    admin_page = make_page(1366, 900)
    log_in(admin_page, live_server.url, "ada", PASSWORD)
    admin_page.goto(f"{live_server.url}/usage/")
    admin_page.get_by_role("link", name="Daily limits").click()
    limits = admin_page.get_by_role("form", name="Daily limits of grace", exact=True)
    limits.get_by_label("Video jobs a day").fill("0")
    limits.get_by_role("button", name="Save").click()
    expect(admin_page.get_by_text("Daily limits of grace: chat tokens unlimited")).to_be_visible()
    screenshot(admin_page, "usage-limits-1366.png")
    assert Quota.objects.get(user=grace).video_jobs == 0

    page = make_page(390, 844)
    log_in(page, live_server.url, "grace", PASSWORD)
    page.goto(f"{live_server.url}/videos/")
    page.get_by_label(re.compile(r"^Prompt")).fill("A fox in snow, over the limit")
    page.get_by_role("button", name="Generate").click()
    refusal = page.get_by_role("alert")
    expect(refusal).to_contain_text("Your daily limit of video jobs is 0, so nothing was sent.")
    expect(refusal).to_contain_text(re.compile(r"resets at 00:00 UTC, in \d+ h|\d+ min"))
    screenshot(page, "usage-refusal-390.png")
    assert fits_the_width(page)
    assert VideoJob.objects.filter(prompt__contains="over the limit").count() == 0
    assert gateway_requests(sim) == []
