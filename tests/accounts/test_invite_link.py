import pytest
from django.test import Client
from django.urls import reverse

from playground.accounts.models import AuditEvent, Role, User
from playground.accounts.services import user_invite
from tests.factories import AdminFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def me(client: Client) -> User:
    user = AdminFactory.create(username="ada")
    client.force_login(user)
    return user


class TestInviteLink:
    def test_it_shows_a_new_link_for_an_invited_user(self, client: Client, me: User) -> None:
        grace = user_invite(actor=me, username="grace", email="", role=Role.MEMBER)
        response = client.post(reverse("users:invite_link", args=[grace.pk]))
        assert response.status_code == 200
        assert "A new invite link for grace." in response.content.decode()
        assert "/accounts/invite/" in response.context["invite_url"]
        assert AuditEvent.objects.first().action == AuditEvent.Action.INVITE_LINK  # type: ignore[union-attr]

    def test_it_refuses_a_user_who_has_a_password(self, client: Client, me: User) -> None:
        grace = UserFactory.create(username="grace", password="a-long-test-password")
        response = client.post(reverse("users:invite_link", args=[grace.pk]), follow=True)
        assert "grace has set a password already" in response.content.decode()

    def test_it_says_so_for_an_unknown_user(self, client: Client, me: User) -> None:
        assert client.post(reverse("users:invite_link", args=[999])).status_code == 404

    def test_it_forbids_members(self, member: Client) -> None:
        grace = UserFactory.create()
        assert member.post(reverse("users:invite_link", args=[grace.pk])).status_code == 403
