import pytest
from django.core.exceptions import ValidationError

from playground.accounts.services import user_create_admin
from tests.factories import UserFactory

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
