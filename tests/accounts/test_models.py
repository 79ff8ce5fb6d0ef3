import pytest

from playground.accounts.models import AuditEvent, Role
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


@pytest.mark.django_db
class TestRole:
    def test_staff_are_admins(self) -> None:
        assert AdminFactory.create().role == Role.ADMIN

    def test_everyone_else_is_a_member(self) -> None:
        assert UserFactory.create().role == Role.MEMBER


@pytest.mark.django_db
class TestAuditEvent:
    def test_it_reads_as_a_sentence(self) -> None:
        event = AuditEvent(actor_name="ada", subject_name="grace", action=AuditEvent.Action.ROLE)
        assert str(event) == "ada changed the role of grace"
