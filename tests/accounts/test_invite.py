import pytest
from django.test import Client
from django.urls import reverse

from playground.accounts.models import AuditEvent, User
from tests.factories import AdminFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("users:invite")


@pytest.fixture
def me(client: Client) -> User:
    user = AdminFactory.create(username="ada")
    client.force_login(user)
    return user


class TestInvite:
    def test_it_creates_a_member_with_no_password(self, client: Client, me: User) -> None:
        response = client.post(
            URL, {"username": "grace", "email": "g@example.com", "role": "member"}
        )
        assert response.status_code == 200
        grace = User.objects.get(username="grace")
        assert not grace.has_usable_password()
        assert (grace.is_staff, grace.is_superuser, grace.email) == (False, False, "g@example.com")

    def test_it_can_create_an_admin(self, client: Client, me: User) -> None:
        client.post(URL, {"username": "linus", "role": "admin"})
        assert User.objects.get(username="linus").is_admin

    def test_it_shows_the_invite_link_once(self, client: Client, me: User) -> None:
        response = client.post(URL, {"username": "grace", "role": "member"})
        body = response.content.decode()
        assert "Invite link for grace" in body
        assert "grace is invited as a member." in body
        assert "http://testserver/accounts/invite/" in response.context["invite_url"]
        assert "Invite link for" not in client.get(reverse("users:page")).content.decode()

    def test_it_records_who_invited_whom(self, client: Client, me: User) -> None:
        client.post(URL, {"username": "grace", "role": "admin"})
        event = AuditEvent.objects.get()
        assert (event.actor, event.subject_name, event.action, event.detail) == (
            me,
            "grace",
            AuditEvent.Action.INVITE,
            "as admin",
        )

    def test_it_refuses_a_taken_username_whatever_its_case(self, client: Client, me: User) -> None:
        UserFactory.create(username="grace")
        response = client.post(URL, {"username": "Grace", "role": "member"})
        assert response.status_code == 400
        assert "A user named &#x27;Grace&#x27; already exists." in response.content.decode()
        assert User.objects.count() == 2

    def test_it_refuses_a_username_with_odd_characters(self, client: Client, me: User) -> None:
        response = client.post(URL, {"username": "grace hopper!", "role": "member"})
        assert response.status_code == 400
        assert "Enter a valid username" in response.content.decode()

    def test_it_refuses_an_unknown_role(self, client: Client, me: User) -> None:
        response = client.post(URL, {"username": "grace", "role": "owner"})
        assert response.status_code == 400
        assert not User.objects.filter(username="grace").exists()

    def test_it_rejects_get(self, client: Client, me: User) -> None:
        assert client.get(URL).status_code == 405

    def test_it_forbids_members(self, member: Client) -> None:
        assert member.post(URL, {"username": "grace", "role": "admin"}).status_code == 403
        assert not User.objects.filter(username="grace").exists()
