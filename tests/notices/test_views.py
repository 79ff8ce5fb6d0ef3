"""The header's badge and toasts, the list, opening and dismissing a notice, and the settings:
wiring and who may see what. Notices are private: anyone else's answers 404."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from playground.accounts.models import User
from playground.notices.models import Notice, Preference
from playground.videos.models import VideoJob
from tests.factories import UserFactory
from tests.images.factories import GenerationFactory
from tests.notices.factories import NoticeFactory
from tests.videos.factories import VideoJobFactory

pytestmark = pytest.mark.django_db
BADGE = reverse("notices:badge")


@pytest.fixture
def me(client: Client) -> User:
    user = UserFactory.create(email="me@example.com")
    client.force_login(user)
    return user


def toasts(html: str) -> list[str]:
    return re.findall(r'class="toast toast-\w+"[^>]*data-id="(\d+)"', html)


def cursor(html: str) -> int:
    found = re.search(r'hx-get="/notices/badge/\?after=(\d+)"', html)
    assert found, html
    return int(found.group(1))


class TestBadge:
    def test_it_counts_only_my_unseen_notices(self, client: Client, me: User) -> None:
        NoticeFactory.create_batch(2, user=me)
        NoticeFactory.create(user=me, seen_at="2026-01-01T00:00:00Z")
        NoticeFactory.create()  # someone else's

        response = client.get(BADGE)

        assert response.status_code == 200
        assert '<span class="notice-count">2<' in response.content.decode()

    def test_it_shows_no_count_when_everything_is_seen(self, client: Client, me: User) -> None:
        NoticeFactory.create(user=me, seen_at="2026-01-01T00:00:00Z")

        html = client.get(BADGE).content.decode()

        assert "notice-count" not in html
        assert 'hx-trigger="every 10s"' in html

    def test_the_first_ask_of_a_tab_toasts_nothing_and_remembers_the_newest(
        self, client: Client, me: User
    ) -> None:
        _older, newest = NoticeFactory.create_batch(2, user=me)

        html = client.get(BADGE).content.decode()

        assert toasts(html) == []
        assert cursor(html) == newest.id

    def test_a_new_notice_comes_as_a_toast_once(self, client: Client, me: User) -> None:
        first = NoticeFactory.create(user=me)
        html = client.get(BADGE, {"after": first.id}).content.decode()
        assert toasts(html) == []
        assert cursor(html) == first.id

        second = NoticeFactory.create(user=me, title="a fox in snow")
        html = client.get(BADGE, {"after": first.id}).content.decode()
        assert toasts(html) == [str(second.id)]
        assert 'hx-swap-oob="beforeend:#toasts"' in html
        assert "Your video is ready" in html
        assert "a fox in snow" in html
        assert reverse("notices:open", args=[second.id]) in html
        assert cursor(html) == second.id

        html = client.get(BADGE, {"after": second.id}).content.decode()
        assert toasts(html) == []

    def test_another_members_notice_never_comes_as_a_toast(self, client: Client, me: User) -> None:
        NoticeFactory.create()

        html = client.get(BADGE, {"after": 0}).content.decode()

        assert toasts(html) == []
        assert "notice-count" not in html

    def test_toasts_ask_for_a_browser_notification_only_when_turned_on(
        self, client: Client, me: User
    ) -> None:
        NoticeFactory.create(user=me)
        assert 'data-notify="1"' not in client.get(BADGE, {"after": 0}).content.decode()

        Preference.objects.create(user=me, browser_notifications=True)
        assert 'data-notify="1"' in client.get(BADGE, {"after": 0}).content.decode()

    def test_it_is_cheap_when_nothing_is_new(
        self, client: Client, me: User, django_assert_max_num_queries: Any
    ) -> None:
        notice = NoticeFactory.create(user=me)
        client.get(BADGE)  # the session is now in the cache

        # The session (from the cache when it is Redis), the user, and the notices' ids.
        with django_assert_max_num_queries(3):
            response = client.get(BADGE, {"after": notice.id})
        assert response.status_code == 200

    def test_it_does_not_extend_the_session(self, client: Client, me: User) -> None:
        response = client.get(BADGE)

        assert "sessionid" not in response.cookies

    def test_a_tab_whose_session_ended_stops_asking(self, client: Client, db: None) -> None:
        response = client.get(BADGE, headers={"HX-Request": "true"})

        assert response.status_code == 286  # htmx stops polling
        assert response.content == b""

    def test_without_htmx_a_signed_out_visitor_is_sent_to_log_in(
        self, client: Client, db: None
    ) -> None:
        response = client.get(BADGE)

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


class TestHeader:
    def test_every_page_asks_for_the_badge_which_links_the_notices(
        self, client: Client, me: User
    ) -> None:
        html = client.get(reverse("history:page")).content.decode()

        assert f'hx-get="{BADGE}" hx-trigger="load"' in html
        assert f'href="{reverse("notices:list")}"' in html
        assert 'id="toasts"' in html
        assert "js/notices.js" in html

    def test_the_notices_page_links_the_settings(self, client: Client, me: User) -> None:
        html = client.get(reverse("notices:list")).content.decode()

        assert f'href="{reverse("notices:settings")}"' in html


class TestList:
    def test_it_lists_my_notices_newest_first_and_marks_them_seen(
        self, client: Client, me: User
    ) -> None:
        old = NoticeFactory.create(user=me, title="the old one", seen_at="2026-01-01T00:00:00Z")
        new = NoticeFactory.create(user=me, title="the new one", outcome=Notice.Outcome.FAILED)
        NoticeFactory.create(title="someone else's")

        response = client.get(reverse("notices:list"))

        html = response.content.decode()
        assert response.status_code == 200
        assert html.index("the new one") < html.index("the old one")
        assert "someone else&#x27;s" not in html
        assert "Your video job failed" in html
        assert html.count(">New<") == 1
        new.refresh_from_db()
        old.refresh_from_db()
        assert new.seen_at is not None

    def test_it_says_so_when_there_are_none(self, client: Client, me: User) -> None:
        assert "No notices yet" in client.get(reverse("notices:list")).content.decode()


class TestOpen:
    def test_it_marks_the_notice_seen_and_goes_to_the_result(
        self, client: Client, me: User
    ) -> None:
        notice = NoticeFactory.create(user=me, kind=Notice.Kind.IMAGE)

        response = client.get(reverse("notices:open", args=[notice.id]))

        assert response.status_code == 302
        assert response["Location"] == reverse("images:generation", args=[notice.source_id])
        notice.refresh_from_db()
        assert notice.seen_at is not None

    def test_another_members_notice_is_not_found(self, client: Client, me: User) -> None:
        notice = NoticeFactory.create()

        assert client.get(reverse("notices:open", args=[notice.id])).status_code == 404
        notice.refresh_from_db()
        assert notice.seen_at is None


class TestOpeningTheResult:
    """Opening the finished job or image request, however one gets there, is seeing it."""

    def test_my_finished_jobs_page_marks_its_notice_seen(self, client: Client, me: User) -> None:
        job = VideoJobFactory.create(user=me, state=VideoJob.State.FAILED)
        notice = NoticeFactory.create(user=me, source_id=job.id)
        other = NoticeFactory.create(user=me)

        assert client.get(reverse("videos:job", args=[job.id])).status_code == 200

        notice.refresh_from_db()
        other.refresh_from_db()
        assert notice.seen_at is not None
        assert other.seen_at is None

    def test_a_teammate_opening_my_job_leaves_my_notice_unseen(
        self, client: Client, me: User
    ) -> None:
        owner = UserFactory.create()
        job = VideoJobFactory.create(user=owner, state=VideoJob.State.SUCCEEDED)
        notice = NoticeFactory.create(user=owner, source_id=job.id)

        assert client.get(reverse("videos:job", args=[job.id])).status_code == 200

        notice.refresh_from_db()
        assert notice.seen_at is None

    def test_my_image_requests_page_marks_its_notice_seen(self, client: Client, me: User) -> None:
        generation = GenerationFactory.create(user=me)
        notice = NoticeFactory.create(user=me, kind=Notice.Kind.IMAGE, source_id=generation.id)

        assert client.get(reverse("images:generation", args=[generation.id])).status_code == 200

        notice.refresh_from_db()
        assert notice.seen_at is not None


class TestDismiss:
    def test_htmx_removes_the_toast_and_the_notice_is_seen(self, client: Client, me: User) -> None:
        notice = NoticeFactory.create(user=me)

        response = client.post(
            reverse("notices:dismiss", args=[notice.id]), headers={"HX-Request": "true"}
        )

        assert response.status_code == 200
        assert response.content == b""
        notice.refresh_from_db()
        assert notice.seen_at is not None

    def test_without_htmx_it_goes_to_the_list(self, client: Client, me: User) -> None:
        notice = NoticeFactory.create(user=me)

        response = client.post(reverse("notices:dismiss", args=[notice.id]))

        assert response.status_code == 302
        assert response["Location"] == reverse("notices:list")

    def test_another_members_notice_is_not_found(self, client: Client, me: User) -> None:
        notice = NoticeFactory.create()

        assert client.post(reverse("notices:dismiss", args=[notice.id])).status_code == 404
        notice.refresh_from_db()
        assert notice.seen_at is None

    def test_it_needs_a_post(self, client: Client, me: User) -> None:
        notice = NoticeFactory.create(user=me)

        assert client.get(reverse("notices:dismiss", args=[notice.id])).status_code == 405


class TestSettings:
    url = reverse("notices:settings")

    def test_it_shows_both_choices_off_at_first(self, client: Client, me: User) -> None:
        html = client.get(self.url).content.decode()

        assert "Browser notifications" in html
        assert "An e-mail to me@example.com when a job ends." in html
        assert "Enable browser notifications" in html
        assert "checked" not in html

    def test_it_saves_my_choices(self, client: Client, me: User) -> None:
        response = client.post(self.url, {"browser_notifications": "on", "email": "on"})

        assert response.status_code == 302
        preference = Preference.objects.get(user=me)
        assert (preference.browser_notifications, preference.email) == (True, True)

    def test_unticking_both_turns_both_off(self, client: Client, me: User) -> None:
        Preference.objects.create(user=me, browser_notifications=True, email=True)

        assert client.post(self.url, {}).status_code == 302

        preference = Preference.objects.get(user=me)
        assert (preference.browser_notifications, preference.email) == (False, False)

    def test_e_mail_needs_an_address(self, client: Client) -> None:
        user = UserFactory.create(email="")
        client.force_login(user)

        response = client.post(self.url, {"email": "on"})

        assert response.status_code == 200
        assert "Your account has no e-mail address" in response.content.decode()
        assert not Preference.objects.filter(user=user).exists()
