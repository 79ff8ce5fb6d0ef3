"""The admins' daily-limits page: every user's limits and today's use, each row editable."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from playground.accounts.models import AuditEvent, User
from playground.usage.models import Quota
from tests.factories import UserFactory
from tests.usage.conftest import chat_on, days_ago, images_on

pytestmark = pytest.mark.django_db


def text(response: Any) -> str:
    return str(response.content.decode())


@pytest.fixture
def mia(db: Any) -> User:
    return UserFactory.create(username="mia")


def limits(user: User, **values: str) -> dict[str, str]:
    fields = {"chat_tokens": "", "images": "", "video_jobs": ""} | values
    return {f"user-{user.pk}-{name}": value for name, value in fields.items()}


class TestAccess:
    def test_members_cannot_see_the_limits(self, member: Client) -> None:
        assert member.get(reverse("usage:quotas")).status_code == 403

    def test_members_cannot_change_a_limit(self, member: Client, mia: User) -> None:
        url = reverse("usage:quota_edit", args=[mia.pk])
        response = member.post(url, limits(mia, video_jobs="0"))
        assert response.status_code == 403
        assert not Quota.objects.exists()

    def test_members_get_403_whatever_the_method(self, member: Client, mia: User) -> None:
        assert member.post(reverse("usage:quotas")).status_code == 403
        assert member.get(reverse("usage:quota_edit", args=[mia.pk])).status_code == 403

    def test_members_are_not_offered_the_link(self, member: Client) -> None:
        assert reverse("usage:quotas") not in text(member.get(reverse("usage:dashboard")))

    def test_admins_are_offered_the_link(self, admin: Client) -> None:
        assert reverse("usage:quotas") in text(admin.get(reverse("usage:dashboard")))


class TestListing:
    def test_it_shows_each_users_limits_and_use_today(self, admin: Client, mia: User) -> None:
        Quota.objects.create(user=mia, chat_tokens=5000)
        chat_on(mia, days_ago(0, hour=0), prompt=1200, completion=34)
        images_on(mia, days_ago(0, hour=0), images=2)
        page = text(admin.get(reverse("usage:quotas")))
        row = page.split(f'id="limits-{mia.pk}"', 1)[1].split("</li>", 1)[0]
        assert f'name="user-{mia.pk}-chat_tokens" value="5000"' in row
        assert "Today: 1,234 of 5,000" in row
        assert "Today: 2</small>" in row

    def test_it_leaves_out_deactivated_users(self, admin: Client) -> None:
        gone = UserFactory.create(username="gone", is_active=False)
        assert f'id="limits-{gone.pk}"' not in text(admin.get(reverse("usage:quotas")))


class TestEdit:
    def test_an_admin_sets_a_members_limits(self, admin: Client, mia: User) -> None:
        url = reverse("usage:quota_edit", args=[mia.pk])
        response = admin.post(url, limits(mia, chat_tokens="10000", video_jobs="0"))
        assert response.status_code == 302
        quota = Quota.objects.get(user=mia)
        assert (quota.chat_tokens, quota.images, quota.video_jobs) == (10000, None, 0)
        page = text(admin.get(response["Location"]))
        assert "Daily limits of mia: chat tokens 10,000, images unlimited, video jobs 0." in page

    def test_the_change_is_in_the_audit_log(self, admin: Client, mia: User) -> None:
        admin.post(reverse("usage:quota_edit", args=[mia.pk]), limits(mia, images="3"))
        event = AuditEvent.objects.get(action=AuditEvent.Action.QUOTA)
        assert event.subject == mia
        assert event.detail.endswith("to chat tokens unlimited, images 3, video jobs unlimited")

    def test_blank_makes_a_limit_unlimited_again(self, admin: Client, mia: User) -> None:
        Quota.objects.create(user=mia, images=3)
        admin.post(reverse("usage:quota_edit", args=[mia.pk]), limits(mia))
        assert Quota.objects.get(user=mia).images is None

    def test_a_negative_limit_is_refused_in_words(self, admin: Client, mia: User) -> None:
        response = admin.post(reverse("usage:quota_edit", args=[mia.pk]), limits(mia, images="-1"))
        assert response.status_code == 400
        assert "Ensure this value is greater than or equal to 0." in text(response)
        assert not Quota.objects.exists()

    def test_an_unknown_user_is_not_found(self, admin: Client) -> None:
        assert admin.post(reverse("usage:quota_edit", args=[987654])).status_code == 404

    def test_it_needs_a_post(self, admin: Client, mia: User) -> None:
        assert admin.get(reverse("usage:quota_edit", args=[mia.pk])).status_code == 405
