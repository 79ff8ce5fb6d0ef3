import pytest
from django.test import Client
from django.urls import reverse

from playground.accounts.models import AuditEvent, User
from tests.factories import AdminFactory, UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def url(user: User) -> str:
    return reverse("users:role", args=[user.pk])


@pytest.fixture
def me(client: Client) -> User:
    user = AdminFactory.create(username="ada")
    client.force_login(user)
    return user


class TestRole:
    def test_it_makes_a_member_an_admin(self, client: Client, me: User) -> None:
        grace = UserFactory.create(username="grace")
        response = client.post(url(grace), {"role": "admin"}, follow=True)
        grace.refresh_from_db()
        assert (grace.is_staff, grace.is_superuser) == (True, True)
        assert "grace is now an admin." in response.content.decode()

    def test_it_makes_an_admin_a_member(self, client: Client, me: User) -> None:
        linus = AdminFactory.create(username="linus")
        client.post(url(linus), {"role": "member"})
        linus.refresh_from_db()
        assert (linus.is_staff, linus.is_superuser) == (False, False)

    def test_it_records_the_change(self, client: Client, me: User) -> None:
        grace = UserFactory.create(username="grace")
        client.post(url(grace), {"role": "admin"})
        event = AuditEvent.objects.get()
        assert (event.actor, event.subject, event.action, event.detail) == (
            me,
            grace,
            AuditEvent.Action.ROLE,
            "member to admin",
        )

    def test_the_last_admin_cannot_make_themselves_a_member(self, client: Client, me: User) -> None:
        response = client.post(url(me), {"role": "member"}, follow=True)
        assert (
            "You are the last active admin, so you cannot make yourself a member: make another "
            "user an admin first." in response.content.decode()
        )
        me.refresh_from_db()
        assert me.is_admin
        assert not AuditEvent.objects.exists()

    def test_an_inactive_admin_does_not_count_as_another_admin(
        self, client: Client, me: User
    ) -> None:
        AdminFactory.create(is_active=False)
        client.post(url(me), {"role": "member"})
        me.refresh_from_db()
        assert me.is_admin

    def test_an_admin_who_is_not_the_last_can_step_down(self, client: Client, me: User) -> None:
        AdminFactory.create()
        response = client.post(url(me), {"role": "member"})
        assert response["Location"] == reverse("chat:page")
        me.refresh_from_db()
        assert not me.is_admin

    def test_stepping_down_through_htmx_leaves_the_page(self, client: Client, me: User) -> None:
        AdminFactory.create()
        response = client.post(url(me), {"role": "member"}, headers=HTMX)
        assert response["HX-Redirect"] == reverse("chat:page")

    def test_it_updates_the_list_in_place_for_htmx(self, client: Client, me: User) -> None:
        grace = UserFactory.create(username="grace")
        response = client.post(url(grace), {"role": "admin"}, headers=HTMX)
        body = response.content.decode()
        assert response.status_code == 200
        assert body.lstrip().startswith('<section id="users-list"')
        assert "<html" not in body
        assert "grace is now an admin." in body
        assert 'id="users-audit" class="panel" hx-swap-oob="true"' in body

    def test_it_says_when_nothing_changes(self, client: Client, me: User) -> None:
        grace = UserFactory.create(username="grace")
        body = client.post(url(grace), {"role": "member"}, follow=True).content.decode()
        assert "grace is already a member." in body

    def test_it_refuses_an_unknown_role(self, client: Client, me: User) -> None:
        grace = UserFactory.create(username="grace")
        body = client.post(url(grace), {"role": "owner"}, follow=True).content.decode()
        assert "Choose admin or member." in body

    def test_it_says_so_for_an_unknown_user(self, client: Client, me: User) -> None:
        assert client.post(reverse("users:role", args=[999]), {"role": "admin"}).status_code == 404

    def test_it_rejects_get(self, client: Client, me: User) -> None:
        assert client.get(url(me)).status_code == 405

    def test_it_forbids_members(self, client: Client) -> None:
        grace = UserFactory.create()
        client.force_login(grace)
        assert client.post(url(grace), {"role": "admin"}).status_code == 403
        grace.refresh_from_db()
        assert not grace.is_admin
