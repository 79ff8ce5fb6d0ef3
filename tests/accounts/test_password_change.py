import pytest
from django.contrib.sessions.models import Session
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from playground.accounts.models import AuditEvent, User
from tests.factories import AdminFactory, UserFactory

pytestmark = pytest.mark.django_db

OLD = "the-old-password-123"
NEW = "a-brand-new-password-456"
URL = reverse("password_change")


@pytest.fixture
def grace(client: Client) -> User:
    user = UserFactory.create(username="grace", password=OLD)
    client.force_login(user)
    return user


def change(
    client: Client, old: str = OLD, new: str = NEW, again: str | None = None
) -> HttpResponse:
    data = {"old_password": old, "new_password1": new, "new_password2": again or new}
    return client.post(URL, data)  # type: ignore[return-value]


class TestPasswordChange:
    def test_a_member_can_open_it(self, client: Client, grace: User) -> None:
        response = client.get(URL)
        body = response.content.decode()
        assert response.status_code == 200
        assert response.context["nav"] == "password"
        assert 'name="old_password"' in body
        assert "css/accounts.css" in body

    def test_an_admin_can_open_it(self, client: Client) -> None:
        client.force_login(AdminFactory.create())
        assert client.get(URL).status_code == 200

    def test_it_changes_the_password(self, client: Client, grace: User) -> None:
        response = change(client)
        assert response.status_code == 302
        grace.refresh_from_db()
        assert grace.check_password(NEW)

    def test_it_keeps_this_session(self, client: Client, grace: User) -> None:
        change(client)
        assert client.get(URL).status_code == 200

    def test_it_ends_the_users_other_sessions(self, client: Client, grace: User) -> None:
        other = Client()
        other.force_login(grace)
        change(client)
        response = other.get(URL)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_it_says_so(self, client: Client, grace: User) -> None:
        body = client.post(
            URL,
            {"old_password": OLD, "new_password1": NEW, "new_password2": NEW},
            follow=True,
        ).content.decode()
        assert "Your password is changed." in body

    def test_it_records_the_change_without_the_password(self, client: Client, grace: User) -> None:
        change(client)
        event = AuditEvent.objects.get()
        assert (event.actor, event.subject, event.action) == (
            grace,
            grace,
            AuditEvent.Action.PASSWORD_CHANGE,
        )
        assert NEW not in str(list(AuditEvent.objects.values_list()))

    def test_it_needs_the_old_password(self, client: Client, grace: User) -> None:
        response = change(client, old="wrong-password")
        assert response.status_code == 400
        assert "Your old password was entered incorrectly" in response.content.decode()
        grace.refresh_from_db()
        assert grace.check_password(OLD)
        assert not AuditEvent.objects.exists()

    def test_it_needs_the_new_password_twice(self, client: Client, grace: User) -> None:
        response = change(client, again="something-else-789")
        assert response.status_code == 400
        assert "The two password fields" in response.content.decode()

    def test_it_refuses_a_weak_password(self, client: Client, grace: User) -> None:
        response = change(client, new="12345678")
        assert response.status_code == 400
        assert "This password is too common." in response.content.decode()

    def test_it_sends_anonymous_people_to_log_in(self, client: Client) -> None:
        response = client.get(URL)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_it_is_linked_from_every_page(self, client: Client, grace: User) -> None:
        assert f'href="{URL}"' in client.get(reverse("chat:page")).content.decode()

    def test_its_session_survives_in_the_store(self, client: Client, grace: User) -> None:
        change(client)
        assert Session.objects.count() == 1
