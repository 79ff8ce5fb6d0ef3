import pytest
from django.test import Client
from django.urls import reverse

from playground.accounts.models import AuditEvent, Role, User
from playground.accounts.services import user_deactivate, user_invite
from tests.factories import AdminFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("users:page")


@pytest.fixture
def me(client: Client) -> User:
    user = AdminFactory.create(username="ada")
    client.force_login(user)
    return user


class TestUsersPage:
    def test_it_lists_the_users_with_their_role_and_status(self, client: Client, me: User) -> None:
        UserFactory.create(username="grace")
        AdminFactory.create(username="linus", is_active=False)
        response = client.get(URL)
        body = response.content.decode()
        assert response.status_code == 200
        assert response.context["nav"] == "users"
        assert [u.username for u in response.context["users"]] == ["ada", "grace", "linus"]
        assert "<strong>grace</strong>" in body
        assert "deactivated" in body
        assert "(you)" in body

    def test_it_says_who_has_not_set_a_password_yet(self, client: Client, me: User) -> None:
        user_invite(actor=me, username="grace", email="", role=Role.MEMBER)
        body = client.get(URL).content.decode()
        assert "invited, no password yet" in body
        assert "New invite link" in body

    def test_it_shows_the_recent_events(self, client: Client, me: User) -> None:
        grace = UserFactory.create(username="grace")
        user_deactivate(actor=me, user=grace)
        body = client.get(URL).content.decode()
        assert 'id="users-audit"' in body
        assert "deactivated" in body
        assert "0 open sessions ended" in body

    def test_it_has_its_own_stylesheet(self, client: Client, me: User) -> None:
        assert "css/accounts.css" in client.get(URL).content.decode()

    def test_admins_find_it_in_the_menu(self, client: Client, me: User) -> None:
        assert f'href="{URL}"' in client.get(reverse("chat:page")).content.decode()

    def test_members_do_not_find_it_in_the_menu(self, member: Client) -> None:
        assert f'href="{URL}"' not in member.get(reverse("chat:page")).content.decode()

    def test_it_forbids_members(self, member: Client) -> None:
        assert member.get(URL).status_code == 403

    def test_it_sends_anonymous_people_to_log_in(self, client: Client) -> None:
        response = client.get(URL)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next={URL}"

    def test_the_log_holds_no_event_when_nothing_happened(self, client: Client, me: User) -> None:
        assert "Nothing has happened to the users yet." in client.get(URL).content.decode()
        assert not AuditEvent.objects.exists()
