import pytest

from tests.factories import AdminFactory, UserFactory


@pytest.mark.django_db
class TestIsAdmin:
    def test_an_active_staff_user_is_an_admin(self) -> None:
        assert AdminFactory.create().is_admin

    def test_a_member_is_not(self) -> None:
        assert not UserFactory.create().is_admin

    def test_an_inactive_staff_user_is_not(self) -> None:
        assert not AdminFactory.create(is_active=False).is_admin

    def test_a_superuser_who_is_not_staff_is_not(self) -> None:
        assert not UserFactory.create(is_superuser=True).is_admin
