import pytest
from django.contrib.auth.tokens import default_token_generator

from playground.accounts.selectors import (
    login_refusal,
    user_admin_exists,
    user_invite_path,
    user_list,
)
from tests.factories import AdminFactory, UserFactory

pytestmark = pytest.mark.django_db


class TestUserAdminExists:
    def test_it_finds_an_admin(self) -> None:
        AdminFactory.create()
        assert user_admin_exists()

    def test_members_and_inactive_staff_do_not_count(self) -> None:
        UserFactory.create()
        AdminFactory.create(is_active=False)
        assert not user_admin_exists()


class TestUserList:
    def test_it_lists_active_users_first_then_by_name(self) -> None:
        UserFactory.create(username="zoe")
        UserFactory.create(username="bob", is_active=False)
        UserFactory.create(username="amy")
        assert [u.username for u in user_list()] == ["amy", "zoe", "bob"]


class TestUserInvitePath:
    def test_it_points_at_the_invite_page(self) -> None:
        user = UserFactory.create()
        assert user_invite_path(user=user).startswith("/accounts/invite/")

    def test_it_stops_working_once_a_password_is_set(self) -> None:
        user = UserFactory.create()
        token = user_invite_path(user=user).rstrip("/").rsplit("/", 1)[1]
        user.set_password("a-new-password-123")
        user.save()
        assert not default_token_generator.check_token(user, token)


class TestLoginRefusal:
    def test_it_lets_a_fresh_username_in(self) -> None:
        assert login_refusal(username="grace", ip="10.0.0.1") == ""
