import pytest
from django.test import Client
from django.urls import reverse

from playground.accounts.models import AuditEvent, Role, User
from playground.accounts.selectors import user_invite_path
from playground.accounts.services import user_invite
from tests.factories import AdminFactory

pytestmark = pytest.mark.django_db

PASSWORD = "grace-chooses-this-one-42"


@pytest.fixture
def grace() -> User:
    return user_invite(actor=AdminFactory.create(), username="grace", email="", role=Role.MEMBER)


def accept(client: Client, user: User, password: str = PASSWORD) -> str:
    """Opens the invite link, then sets the password; returns where it went."""
    form_url = client.get(user_invite_path(user=user))["Location"]
    response = client.post(form_url, {"new_password1": password, "new_password2": password})
    return str(response.get("Location", response.content.decode()))


class TestInviteAccept:
    def test_it_moves_the_token_out_of_the_address(self, client: Client, grace: User) -> None:
        response = client.get(user_invite_path(user=grace))
        assert response.status_code == 302
        assert response["Location"].endswith("/set-password/")

    def test_it_shows_the_form_without_a_login(self, client: Client, grace: User) -> None:
        response = client.get(user_invite_path(user=grace), follow=True)
        body = response.content.decode()
        assert "Set your password" in body
        assert "<strong>grace</strong>" in body

    def test_it_sets_the_password_and_sends_to_log_in(self, client: Client, grace: User) -> None:
        assert accept(client, grace) == reverse("login")
        grace.refresh_from_db()
        assert grace.check_password(PASSWORD)

    def test_then_the_user_can_log_in(self, client: Client, grace: User) -> None:
        accept(client, grace)
        response = client.post(reverse("login"), {"username": "grace", "password": PASSWORD})
        assert response["Location"] == reverse("chat:page")

    def test_it_records_the_password_being_set(self, client: Client, grace: User) -> None:
        accept(client, grace)
        event = AuditEvent.objects.first()
        assert event is not None
        assert (event.actor, event.subject, event.action) == (
            grace,
            grace,
            AuditEvent.Action.PASSWORD_SET,
        )

    def test_a_link_works_once(self, client: Client, grace: User) -> None:
        link = user_invite_path(user=grace)
        accept(client, grace)
        body = Client().get(link, follow=True).content.decode()
        assert "This link no longer works" in body

    def test_a_made_up_link_does_not_work(self, client: Client, grace: User) -> None:
        body = client.get(reverse("invite_accept", args=["Mw", "made-up"])).content.decode()
        assert "This link no longer works" in body

    def test_a_deactivated_users_link_does_not_work(self, client: Client, grace: User) -> None:
        link = user_invite_path(user=grace)
        User.objects.filter(pk=grace.pk).update(is_active=False)
        assert "This link no longer works" in client.get(link, follow=True).content.decode()

    def test_it_refuses_a_weak_password(self, client: Client, grace: User) -> None:
        assert "This password is too common." in accept(client, grace, "password")
        grace.refresh_from_db()
        assert not grace.has_usable_password()
