import pytest
from django.test import Client
from django.urls import reverse

from playground.accounts.models import AuditEvent, User
from tests.factories import AdminFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(user: User) -> str:
    return reverse("users:reactivate", args=[user.pk])


@pytest.fixture
def me(client: Client) -> User:
    user = AdminFactory.create(username="ada")
    client.force_login(user)
    return user


class TestReactivate:
    def test_it_lets_the_user_log_in_again(self, client: Client, me: User) -> None:
        grace = UserFactory.create(
            username="grace", password="a-long-test-password", is_active=False
        )
        response = client.post(url(grace), follow=True)
        assert "grace can log in again." in response.content.decode()
        login = Client().post(
            reverse("login"), {"username": "grace", "password": "a-long-test-password"}
        )
        assert login.status_code == 302

    def test_it_records_who_reactivated_whom(self, client: Client, me: User) -> None:
        grace = UserFactory.create(username="grace", is_active=False)
        client.post(url(grace))
        event = AuditEvent.objects.get()
        assert (event.actor, event.subject, event.action) == (
            me,
            grace,
            AuditEvent.Action.REACTIVATE,
        )

    def test_it_says_when_already_active(self, client: Client, me: User) -> None:
        grace = UserFactory.create(username="grace")
        body = client.post(url(grace), follow=True).content.decode()
        assert "grace is already active." in body

    def test_it_rejects_get(self, client: Client, me: User) -> None:
        assert client.get(url(me)).status_code == 405

    def test_it_forbids_members(self, client: Client) -> None:
        grace = UserFactory.create(is_active=False)
        client.force_login(UserFactory.create())
        assert client.post(url(grace)).status_code == 403
        grace.refresh_from_db()
        assert not grace.is_active
