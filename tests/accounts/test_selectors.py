import pytest

from playground.accounts.selectors import user_admin_exists
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
