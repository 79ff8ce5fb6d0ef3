"""`quota_check`: a user at a daily limit is refused, in words, before anything is made."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from playground.accounts.models import AuditEvent, User
from playground.chat.services import conversation_fork
from playground.usage.models import Kind, Quota
from playground.usage.selectors import used_today
from playground.usage.services import QuotaExceeded, quota_check, quota_set, reset_wording
from playground.videos.models import VideoJob
from tests.factories import AdminFactory, UserFactory
from tests.usage.conftest import chat_on, days_ago, images_on, video_on

pytestmark = pytest.mark.django_db
LIMIT = 3


def use_today(user: User, kind: Kind, amount: int) -> None:
    """Makes `user` use `amount` of `kind` today."""
    if kind == Kind.CHAT_TOKENS:
        chat_on(user, days_ago(0, hour=0), prompt=amount - amount // 2, completion=amount // 2)
    elif kind == Kind.IMAGES:
        images_on(user, days_ago(0, hour=0), images=amount)
    else:
        for _ in range(amount):
            video_on(user, days_ago(0, hour=0))


def limit(user: User, **limits: int | None) -> Quota:
    return Quota.objects.create(user=user, **limits)


@pytest.fixture
def user(db: Any) -> User:
    return UserFactory.create(username="mia")


@pytest.mark.parametrize("kind", list(Kind))
class TestEachKind:
    def test_one_under_the_limit_is_allowed(self, user: User, kind: Kind) -> None:
        limit(user, **{kind.value: LIMIT})
        use_today(user, kind, LIMIT - 1)
        quota_check(user=user, kind=kind)  # no error

    def test_at_the_limit_it_is_refused_naming_the_limit(self, user: User, kind: Kind) -> None:
        limit(user, **{kind.value: LIMIT})
        use_today(user, kind, LIMIT)
        with pytest.raises(QuotaExceeded) as refused:
            quota_check(user=user, kind=kind)
        sentence = refused.value.messages[0]
        assert sentence.startswith(f"You have used 3 of your daily limit of 3 {kind.label}")
        assert "so nothing was sent" in sentence
        assert "resets at 00:00 UTC, in " in sentence

    def test_one_over_the_limit_it_is_refused(self, user: User, kind: Kind) -> None:
        limit(user, **{kind.value: LIMIT})
        use_today(user, kind, LIMIT + 1)
        with pytest.raises(QuotaExceeded, match="You have used 4 of your daily limit of 3"):
            quota_check(user=user, kind=kind)

    def test_a_blank_limit_is_unlimited(self, user: User, kind: Kind) -> None:
        limit(user, **{kind.value: None})
        use_today(user, kind, 1000)
        quota_check(user=user, kind=kind)

    def test_a_user_with_no_limits_set_is_unlimited(self, user: User, kind: Kind) -> None:
        use_today(user, kind, 1000)
        quota_check(user=user, kind=kind)

    def test_a_limit_of_zero_allows_nothing(self, user: User, kind: Kind) -> None:
        limit(user, **{kind.value: 0})
        with pytest.raises(QuotaExceeded, match=f"Your daily limit of {kind.label} is 0"):
            quota_check(user=user, kind=kind)

    def test_another_users_use_does_not_count(self, user: User, kind: Kind) -> None:
        limit(user, **{kind.value: LIMIT})
        use_today(UserFactory.create(), kind, LIMIT * 10)
        quota_check(user=user, kind=kind)

    def test_the_other_kinds_limits_do_not_apply(self, user: User, kind: Kind) -> None:
        limit(user, **{other.value: 0 for other in Kind if other != kind})
        quota_check(user=user, kind=kind)

    def test_it_asks_the_database_twice(
        self, user: User, kind: Kind, django_assert_num_queries: Any
    ) -> None:
        limit(user, **{kind.value: LIMIT})
        use_today(user, kind, 1)
        with django_assert_num_queries(2):  # the limits, then today's use of this kind
            quota_check(user=user, kind=kind)


class TestToday:
    def test_yesterdays_use_does_not_count(self, user: User) -> None:
        limit(user, images=2)
        images_on(user, days_ago(1, hour=23), images=5)
        quota_check(user=user, kind=Kind.IMAGES)

    def test_chat_tokens_are_prompt_plus_completion(self, user: User) -> None:
        chat_on(user, days_ago(0, hour=0), prompt=120, completion=30)
        chat_on(user, days_ago(0, hour=0), prompt=5, completion=0)
        assert used_today(user=user, kind=Kind.CHAT_TOKENS) == 155

    def test_an_unanswered_message_has_no_tokens_yet(self, user: User) -> None:
        chat_on(user, days_ago(0, hour=0), prompt=None, completion=None, status="pending")  # type: ignore[arg-type]
        assert used_today(user=user, kind=Kind.CHAT_TOKENS) == 0

    def test_a_forks_copies_count_once_for_who_first_sent_them(self, user: User) -> None:
        original = chat_on(UserFactory.create(), days_ago(0, hour=0), prompt=500, completion=500)
        fork = conversation_fork(user=user, conversation=original.conversation)
        assert fork.exchanges.count() == 1
        assert used_today(user=user, kind=Kind.CHAT_TOKENS) == 0
        assert used_today(user=original.user, kind=Kind.CHAT_TOKENS) == 1000

    def test_what_is_sent_in_a_fork_afterwards_counts(self, user: User) -> None:
        original = chat_on(UserFactory.create(), days_ago(0, hour=0), prompt=500, completion=500)
        fork = conversation_fork(user=user, conversation=original.conversation)
        later = fork.created_at + timedelta(minutes=1)
        chat_on(user, later, prompt=7, completion=3, conversation=fork)
        assert used_today(user=user, kind=Kind.CHAT_TOKENS) == 10

    def test_images_are_what_the_gateway_reported_making(self, user: User) -> None:
        images_on(user, days_ago(0, hour=0), images=4)
        images_on(user, days_ago(0, hour=0), images=None, state="failed")  # type: ignore[arg-type]
        assert used_today(user=user, kind=Kind.IMAGES) == 4

    def test_video_jobs_that_failed_before_being_sent_do_not_count(self, user: User) -> None:
        video_on(user, days_ago(0, hour=0), state=VideoJob.State.FAILED)
        video_on(user, days_ago(0, hour=0), state=VideoJob.State.CANCELLED)
        assert used_today(user=user, kind=Kind.VIDEO_JOBS) == 0

    def test_video_jobs_the_gateway_took_count_whatever_became_of_them(self, user: User) -> None:
        video_on(user, days_ago(0, hour=0), state=VideoJob.State.QUEUED)
        video_on(user, days_ago(0, hour=0), state=VideoJob.State.FAILED, upstream_task_id="t-1")
        video_on(user, days_ago(0, hour=0), state=VideoJob.State.UNKNOWN)
        video_on(user, days_ago(0, hour=0), state=VideoJob.State.SUCCEEDED, upstream_task_id="t-2")
        assert used_today(user=user, kind=Kind.VIDEO_JOBS) == 4


class TestResetWording:
    def test_it_says_the_next_midnight_utc_and_how_long_until_then(self) -> None:
        now = datetime(2026, 11, 26, 18, 48, 0, tzinfo=UTC)
        assert reset_wording(now=now) == "resets at 00:00 UTC, in 5 h 12 min"

    def test_a_whole_number_of_hours_leaves_out_the_minutes(self) -> None:
        now = datetime(2026, 11, 26, 23, 0, 0, tzinfo=UTC)
        assert reset_wording(now=now) == "resets at 00:00 UTC, in 1 h"

    def test_under_an_hour_it_says_minutes_rounded_up(self) -> None:
        now = datetime(2026, 11, 26, 23, 59, 30, tzinfo=UTC)
        assert reset_wording(now=now) == "resets at 00:00 UTC, in 1 min"

    def test_just_after_midnight_it_is_nearly_a_day(self) -> None:
        now = datetime(2026, 11, 26, 0, 0, 1, tzinfo=UTC)
        assert reset_wording(now=now) == "resets at 00:00 UTC, in 24 h"

    def test_it_follows_the_time_zone_setting(self, settings: Any) -> None:
        settings.TIME_ZONE = "Europe/Berlin"
        now = datetime(2026, 11, 26, 18, 0, 0, tzinfo=UTC)  # 19:00 in Berlin
        assert reset_wording(now=now) == "resets at 00:00 Europe/Berlin, in 5 h"


class TestQuotaSet:
    def test_it_saves_the_limits_and_logs_them(self, user: User) -> None:
        admin = AdminFactory.create(username="ada")
        quota_set(actor=admin, user=user, chat_tokens=10_000, images=None, video_jobs=0)
        quota = Quota.objects.get(user=user)
        assert (quota.chat_tokens, quota.images, quota.video_jobs) == (10_000, None, 0)
        event = AuditEvent.objects.get()
        assert str(event) == "ada set the daily limits of mia"
        assert event.detail == (
            "chat tokens unlimited, images unlimited, video jobs unlimited to "
            "chat tokens 10,000, images unlimited, video jobs 0"
        )

    def test_saving_the_same_limits_again_logs_nothing(self, user: User) -> None:
        admin = AdminFactory.create()
        quota_set(actor=admin, user=user, chat_tokens=5, images=None, video_jobs=None)
        quota_set(actor=admin, user=user, chat_tokens=5, images=None, video_jobs=None)
        assert AuditEvent.objects.count() == 1
