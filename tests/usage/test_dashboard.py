"""The usage dashboard: the team's numbers per user and day, drawn and tabled."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from playground.accounts.models import User
from playground.chat.services import conversation_fork
from playground.usage.selectors import failure_reason, today, usage_report
from playground.videos.models import VideoJob
from tests.factories import UserFactory
from tests.usage.conftest import chat_on, days_ago, images_on, video_on

pytestmark = pytest.mark.django_db
HTMX: dict[str, Any] = {"headers": {"HX-Request": "true"}}
SEGMENT = re.compile(r'<rect class="bar series-\d+"[^>]*><title>([^<]*)</title></rect>')


def text(response: Any) -> str:
    return str(response.content.decode())


def label(*, days: int) -> str:
    """How the page names a day: "Nov 24"."""
    day = today() - timedelta(days=days)
    return f"{day:%b} {day.day}"


def table_rows(page: str, table_id: str) -> list[list[str]]:
    table = page.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


@pytest.fixture
def team(db: Any) -> tuple[User, User]:
    """Two people's week: ann chats and makes images; bob makes videos, one failing."""
    ann = UserFactory.create(username="ann")
    bob = UserFactory.create(username="bob")
    chat_on(ann, days_ago(0), prompt=100, completion=20)
    chat_on(ann, days_ago(0, hour=23), prompt=50, completion=5)
    chat_on(ann, days_ago(2), prompt=7, completion=3)
    chat_on(bob, days_ago(2), prompt=1000, completion=0)
    images_on(ann, days_ago(2), images=4)
    video_on(bob, days_ago(0), duration=5)
    video_on(bob, days_ago(0), duration="10", model="kling-v1-6")
    video_on(bob, days_ago(0), state=VideoJob.State.RUNNING, duration=10, model="kling-v1-6")
    video_on(
        bob,
        days_ago(1),
        state=VideoJob.State.FAILED,
        fail_reason="The gateway rejected the team key (401): ask an admin to replace it.",
    )
    chat_on(ann, days_ago(40), prompt=9999, completion=9999)  # outside the last 7 days
    return ann, bob


class TestReport:
    def test_it_counts_per_user_and_day(self, team: tuple[User, User]) -> None:
        report = usage_report(start=today() - timedelta(days=6), end=today())
        rows = {(row.day, row.username): row for row in report.rows}
        ann_today = rows[(today(), "ann")]
        assert (ann_today.prompt_tokens, ann_today.completion_tokens) == (150, 25)
        ann_before = rows[(today() - timedelta(days=2), "ann")]
        assert (ann_before.chat_tokens, ann_before.images) == (10, 4)
        assert rows[(today() - timedelta(days=2), "bob")].chat_tokens == 1000
        bob_today = rows[(today(), "bob")]
        assert (bob_today.video_jobs, bob_today.video_seconds) == (3, 15)
        assert rows[(today() - timedelta(days=1), "bob")].video_jobs == 1
        assert len(rows) == 5

    def test_video_seconds_count_succeeded_jobs_by_model(self, team: tuple[User, User]) -> None:
        report = usage_report(start=today() - timedelta(days=6), end=today())
        models = {m.model: (m.jobs, m.succeeded, m.seconds) for m in report.models}
        assert models == {"kling-v1-6": (2, 1, 10), "doubao-seedance-1-0-pro-250528": (2, 1, 5)}

    def test_failures_are_grouped_by_their_first_sentence(self, team: tuple[User, User]) -> None:
        user = team[0]
        chat_on(user, days_ago(0), prompt=0, completion=0, status="failed", error="Too many. Wait.")
        chat_on(user, days_ago(0), prompt=0, completion=0, status="failed", error="Too many. Hm.")
        report = usage_report(start=today() - timedelta(days=6), end=today())
        failures = [(f.kind, f.reason, f.count) for f in report.failures]
        assert failures == [
            ("Chat", "Too many", 2),
            ("Videos", "The gateway rejected the team key (401)", 1),
        ]

    def test_a_forks_copies_are_not_counted_again(self, team: tuple[User, User]) -> None:
        ann, bob = team
        conversation_fork(user=bob, conversation=ann.conversations.all()[0])
        report = usage_report(start=today(), end=today())
        bob_today = next(row for row in report.rows if row.username == "bob")
        assert bob_today.chat_tokens == 0

    def test_a_long_reason_is_cut_short(self) -> None:
        assert failure_reason("x" * 300) == "x" * 117 + "…"
        assert failure_reason("") == "No reason given"


class TestPage:
    def test_every_member_sees_the_whole_teams_usage(
        self, member: Client, team: tuple[User, User]
    ) -> None:
        response = member.get(reverse("usage:dashboard"))
        assert response.status_code == 200
        two_days_ago, yesterday = label(days=2), label(days=1)
        assert table_rows(text(response), "usage-days") == [
            [two_days_ago, "ann", "7", "3", "4", "0", "0"],
            [two_days_ago, "bob", "1,000", "0", "0", "0", "0"],
            [yesterday, "bob", "0", "0", "0", "1", "0"],
            [label(days=0), "ann", "150", "25", "0", "0", "0"],
            [label(days=0), "bob", "0", "0", "0", "3", "15"],
        ]

    def test_the_chart_has_one_segment_per_day_and_user_with_tokens(
        self, member: Client, team: tuple[User, User]
    ) -> None:
        page = text(member.get(reverse("usage:dashboard")))
        titles = SEGMENT.findall(page)
        assert sorted(titles) == sorted(
            [
                f"ann, {label(days=2)}: 10 chat tokens",
                f"bob, {label(days=2)}: 1,000 chat tokens",
                f"ann, {label(days=0)}: 175 chat tokens",
            ]
        )

    def test_the_chart_is_an_accessible_image_with_a_legend(
        self, member: Client, team: tuple[User, User]
    ) -> None:
        page = text(member.get(reverse("usage:dashboard")))
        assert 'role="img"' in page
        assert '<title id="usage-chart-title">The team&#x27;s chat tokens per day' in page
        assert "Day (UTC)" in page
        legend = re.findall(r'<li><svg[^>]*><rect class="series-\d"[^>]*/></svg>(\w+)</li>', page)
        assert legend == ["ann", "bob"]
        assert "style=" not in page.split("<svg", 1)[1].split("</figure>", 1)[0]

    def test_another_metric_draws_video_seconds(
        self, member: Client, team: tuple[User, User]
    ) -> None:
        page = text(member.get(reverse("usage:dashboard"), {"metric": "video_seconds"}))
        assert SEGMENT.findall(page) == [f"bob, {label(days=0)}: 15 video seconds"]

    def test_a_longer_period_includes_older_use(
        self, member: Client, team: tuple[User, User]
    ) -> None:
        page = text(member.get(reverse("usage:dashboard"), {"period": "90"}))
        assert "9,999" in page
        assert len(SEGMENT.findall(page)) == 4

    def test_from_to_dates_choose_the_days(self, member: Client, team: tuple[User, User]) -> None:
        day = str(today() - timedelta(days=2))
        page = text(member.get(reverse("usage:dashboard"), {"start": day, "end": day}))
        assert [row[1] for row in table_rows(page, "usage-days")] == ["ann", "bob"]
        assert len(SEGMENT.findall(page)) == 2

    def test_dates_in_the_wrong_order_are_explained(self, member: Client) -> None:
        response = member.get(
            reverse("usage:dashboard"), {"start": str(today()), "end": "2020-01-01"}
        )
        assert response.status_code == 200
        assert "The start date is after the end date." in text(response)

    def test_htmx_gets_only_the_report(self, member: Client, team: tuple[User, User]) -> None:
        page = text(member.get(reverse("usage:dashboard"), {"period": "30"}, **HTMX))
        assert page.lstrip().startswith('<section id="usage-report"')
        assert "<html" not in page

    def test_an_empty_period_says_so(self, member: Client) -> None:
        page = text(member.get(reverse("usage:dashboard")))
        assert "Nobody used the playground in this period." in page
        assert SEGMENT.findall(page) == []

    def test_it_takes_the_same_few_queries_however_much_there_is(
        self, member: Client, django_assert_max_num_queries: Any
    ) -> None:
        for n in range(6):
            user = UserFactory.create()
            for day in range(0, 30, 3):
                chat_on(user, days_ago(day), prompt=n + 1, completion=1)
                images_on(user, days_ago(day), images=1)
                video_on(user, days_ago(day), model=f"model-{n}")
        with django_assert_max_num_queries(9):  # session, user, then six aggregates
            response = member.get(reverse("usage:dashboard"), {"period": "30"})
        assert len(SEGMENT.findall(text(response))) == 6 * 10

    def test_the_menu_links_to_it_for_everyone(self, member: Client) -> None:
        page = text(member.get(reverse("chat:page")))
        assert f'<a href="{reverse("usage:dashboard")}" >Usage</a>' in page

    def test_anonymous_visitors_are_sent_to_log_in(self, client: Client) -> None:
        response = client.get(reverse("usage:dashboard"))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
