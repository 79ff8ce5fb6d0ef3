import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from playground.accounts.models import AuditEvent, User
from playground.chat.models import Conversation
from tests.chat.factories import ConversationFactory
from tests.factories import AdminFactory, UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def url(user: User) -> str:
    return reverse("users:deactivate", args=[user.pk])


@pytest.fixture
def me(client: Client) -> User:
    user = AdminFactory.create(username="ada")
    client.force_login(user)
    return user


def logged_in(user: User) -> Client:
    other = Client()
    other.force_login(user)
    assert other.get(reverse("password_change")).status_code == 200
    return other


class TestDeactivate:
    def test_it_deactivates(self, client: Client, me: User) -> None:
        grace = UserFactory.create(username="grace")
        response = client.post(url(grace), follow=True)
        grace.refresh_from_db()
        assert not grace.is_active
        assert "grace is deactivated and logged out everywhere" in response.content.decode()

    def test_an_open_session_is_sent_to_log_in_on_its_next_request(
        self, client: Client, me: User
    ) -> None:
        grace = UserFactory.create(username="grace")
        graces_browser = logged_in(grace)
        client.post(url(grace))
        response = graces_browser.get(reverse("password_change"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_it_deletes_the_users_sessions_from_the_store(self, client: Client, me: User) -> None:
        grace = UserFactory.create(username="grace")
        logged_in(grace)
        logged_in(grace)
        client.post(url(grace))
        assert Session.objects.count() == 1  # the admin's own
        assert AuditEvent.objects.get().detail == "2 open sessions ended"

    def test_a_session_left_in_the_store_is_refused_too(self) -> None:
        # Not through the service: the flag alone is enough, e.g. with a session engine whose
        # sessions cannot be searched.
        grace = UserFactory.create(username="grace")
        graces_browser = logged_in(grace)
        User.objects.filter(pk=grace.pk).update(is_active=False)
        response = graces_browser.get(reverse("password_change"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_a_deactivated_user_cannot_log_in(self, client: Client, me: User) -> None:
        grace = UserFactory.create(username="grace", password="a-long-test-password")
        client.post(url(grace))
        response = Client().post(
            reverse("login"), {"username": "grace", "password": "a-long-test-password"}
        )
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()

    def test_what_they_made_stays(self, client: Client, me: User) -> None:
        grace = UserFactory.create(username="grace")
        ConversationFactory.create(user=grace)
        client.post(url(grace))
        assert Conversation.objects.filter(user=grace).count() == 1

    def test_it_records_who_deactivated_whom(self, client: Client, me: User) -> None:
        grace = UserFactory.create(username="grace")
        client.post(url(grace))
        event = AuditEvent.objects.get()
        assert (event.actor, event.subject, event.action) == (
            me,
            grace,
            AuditEvent.Action.DEACTIVATE,
        )

    def test_the_last_admin_cannot_deactivate_themselves(self, client: Client, me: User) -> None:
        response = client.post(url(me), follow=True)
        assert (
            "You are the last active admin, so you cannot deactivate yourself: make another "
            "user an admin first." in response.content.decode()
        )
        me.refresh_from_db()
        assert me.is_active

    def test_an_admin_who_is_not_the_last_can_deactivate_themselves(
        self, client: Client, me: User
    ) -> None:
        AdminFactory.create()
        response = client.post(url(me))
        assert response["Location"] == reverse("login")
        assert client.get(reverse("users:page")).status_code == 302

    def test_it_updates_the_list_in_place_for_htmx(self, client: Client, me: User) -> None:
        grace = UserFactory.create(username="grace")
        response = client.post(url(grace), headers=HTMX)
        body = response.content.decode()
        assert body.lstrip().startswith('<section id="users-list"')
        assert "Reactivate" in body

    def test_it_refuses_an_htmx_last_admin_in_place(self, client: Client, me: User) -> None:
        body = client.post(url(me), headers=HTMX).content.decode()
        assert '<p class="notice error" role="status">You are the last active admin' in body

    def test_it_says_when_already_deactivated(self, client: Client, me: User) -> None:
        grace = UserFactory.create(username="grace", is_active=False)
        body = client.post(url(grace), follow=True).content.decode()
        assert "grace is already deactivated." in body

    def test_it_rejects_get(self, client: Client, me: User) -> None:
        assert client.get(url(me)).status_code == 405

    def test_it_forbids_members(self, client: Client) -> None:
        grace = UserFactory.create()
        client.force_login(UserFactory.create())
        assert client.post(url(grace)).status_code == 403
        grace.refresh_from_db()
        assert grace.is_active
