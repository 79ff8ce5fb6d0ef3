import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from pytest_django import Settings

from playground.accounts.models import AuditEvent, Role, User
from playground.accounts.selectors import login_refusal
from playground.accounts.services import (
    login_failure_record,
    login_success_record,
    throttle_key,
    user_create_admin,
    user_deactivate,
    user_invite,
    user_password_change,
    user_role_set,
)
from tests.factories import AdminFactory, UserFactory

pytestmark = pytest.mark.django_db


class TestUserCreateAdmin:
    def test_it_creates_an_admin_who_can_log_in(self) -> None:
        user = user_create_admin(username="ada", email="ada@example.com", password="pw-1234-abcd")
        assert user.is_admin
        assert user.is_superuser
        assert user.check_password("pw-1234-abcd")

    def test_it_refuses_a_taken_username(self) -> None:
        UserFactory.create(username="ada")
        with pytest.raises(ValidationError, match="A user named 'ada' already exists"):
            user_create_admin(username="ada", email="ada@example.com", password="pw-1234-abcd")


class TestUserInvite:
    def test_it_creates_a_user_without_a_password(self) -> None:
        user = user_invite(
            actor=AdminFactory.create(), username=" grace ", email="g@example.com", role=Role.MEMBER
        )
        assert user.username == "grace"
        assert user.is_invited
        assert user.role == Role.MEMBER

    def test_an_admin_is_a_staff_superuser(self) -> None:
        user = user_invite(actor=AdminFactory.create(), username="linus", email="", role=Role.ADMIN)
        assert (user.is_staff, user.is_superuser, user.is_admin) == (True, True, True)

    def test_it_refuses_a_taken_username_in_any_case(self) -> None:
        UserFactory.create(username="grace")
        with pytest.raises(ValidationError, match=r"A user named 'GRACE' already exists\."):
            user_invite(actor=AdminFactory.create(), username="GRACE", email="", role=Role.MEMBER)


class TestUserRoleSet:
    def test_it_refuses_to_demote_the_last_active_admin(self) -> None:
        admin = AdminFactory.create(username="ada")
        with pytest.raises(ValidationError, match="You are the last active admin"):
            user_role_set(actor=admin, user=admin, role=Role.MEMBER)

    def test_it_names_the_last_admin_when_someone_else_asks(self) -> None:
        admin = AdminFactory.create(username="ada")
        with pytest.raises(ValidationError, match="ada is the last active admin"):
            user_role_set(actor=None, user=admin, role=Role.MEMBER)  # type: ignore[arg-type]

    def test_a_member_may_always_be_promoted(self) -> None:
        grace = UserFactory.create()
        assert user_role_set(actor=AdminFactory.create(), user=grace, role=Role.ADMIN).is_admin


class TestUserDeactivate:
    def test_it_keeps_the_user_row(self) -> None:
        grace = UserFactory.create()
        user_deactivate(actor=AdminFactory.create(), user=grace)
        assert User.objects.filter(pk=grace.pk, is_active=False).exists()

    def test_it_ends_only_that_users_sessions(self) -> None:
        grace, linus = UserFactory.create(), UserFactory.create()
        for user in (grace, linus, grace):
            Client().force_login(user)
        user_deactivate(actor=AdminFactory.create(), user=grace)
        remaining = [s.get_decoded()["_auth_user_id"] for s in Session.objects.all()]
        assert remaining == [str(linus.pk)]

    def test_it_cannot_end_sessions_it_cannot_search(self, settings: Settings) -> None:
        settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
        grace = UserFactory.create()
        user_deactivate(actor=AdminFactory.create(), user=grace)
        assert AuditEvent.objects.get().detail == "0 open sessions ended"


class TestUserPasswordChange:
    def test_it_sets_the_password_and_records_it(self) -> None:
        grace = UserFactory.create()
        user_password_change(user=grace, password="a-new-password-123")
        grace.refresh_from_db()
        assert grace.check_password("a-new-password-123")
        event = AuditEvent.objects.get()
        assert (event.actor, event.action, event.detail) == (
            grace,
            AuditEvent.Action.PASSWORD_CHANGE,
            "",
        )

    def test_an_invited_user_setting_one_is_recorded_as_such(self) -> None:
        grace = UserFactory.create()
        user_password_change(user=grace, password="a-new-password-123", via_invite=True)
        assert AuditEvent.objects.get().action == AuditEvent.Action.PASSWORD_SET


class TestLoginThrottle:
    def test_it_refuses_after_the_limit(self, settings: Settings) -> None:
        settings.LOGIN_THROTTLE_USERNAME_FAILURES = 2
        login_failure_record(username="grace", ip="")
        assert login_refusal(username="grace", ip="") == ""
        login_failure_record(username="grace", ip="")
        assert login_refusal(username="grace", ip="").startswith(
            "Too many failed logins for this username: try again in "
        )

    def test_a_success_clears_the_username(self, settings: Settings) -> None:
        settings.LOGIN_THROTTLE_USERNAME_FAILURES = 1
        login_failure_record(username="grace", ip="10.0.0.1")
        login_success_record(username="grace")
        assert login_refusal(username="grace", ip="10.0.0.1") == ""

    def test_the_counters_live_in_the_cache_under_a_hash(self) -> None:
        login_failure_record(username="grace hopper", ip="10.0.0.1")
        key = throttle_key("username", "grace hopper")
        assert "grace" not in key
        assert cache.get(key) == 1
