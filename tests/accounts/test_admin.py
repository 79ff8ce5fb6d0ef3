"""The Django admin is for admins only: members get 403, anonymous people the login page."""

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from playground.teamkey.models import KeyAuditEvent
from playground.teamkey.services import team_key_set
from tests.conftest import SIM_KEY

pytestmark = pytest.mark.django_db

PATHS = [
    "/admin/",
    "/admin/login/",
    "/admin/logout/",
    "/admin/password_change/",
    "/admin/accounts/",
    "/admin/accounts/user/",
    "/admin/accounts/user/1/change/",
    "/admin/teamkey/keyauditevent/",
    "/admin/jsi18n/",
    "/admin/no-such-page/",
]


class TestAccess:
    @pytest.mark.parametrize("path", PATHS)
    def test_it_forbids_members(self, member: Client, path: str) -> None:
        assert member.get(path).status_code == 403
        assert member.post(path).status_code == 403

    @pytest.mark.parametrize("path", PATHS)
    def test_it_sends_anonymous_people_to_the_playgrounds_login(
        self, client: Client, path: str
    ) -> None:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(f"{reverse('login')}?next=")

    def test_anonymous_people_come_back_to_the_admin_after_logging_in(self, client: Client) -> None:
        response = client.get("/admin/login/?next=/admin/accounts/user/")
        assert response["Location"] == f"{reverse('login')}?next=/admin/accounts/user/"

    def test_it_lets_admins_in(self, admin: Client) -> None:
        assert admin.get("/admin/").status_code == 200
        assert admin.get("/admin/accounts/user/").status_code == 200

    def test_its_login_page_sends_admins_on(self, admin: Client) -> None:
        assert admin.get("/admin/login/")["Location"] == "/admin/"


class TestTeamKeyInTheAdmin:
    def test_the_audit_log_is_read_only(self, admin: Client) -> None:
        team_key_set(actor=None, plaintext=SIM_KEY)
        event = KeyAuditEvent.objects.get()
        page = admin.get(f"/admin/teamkey/keyauditevent/{event.id}/change/")
        assert page.status_code == 200
        assert "sk-…a1b2" in page.content.decode()
        assert admin.get("/admin/teamkey/keyauditevent/add/").status_code == 403
        assert admin.post(f"/admin/teamkey/keyauditevent/{event.id}/delete/").status_code == 403
        assert KeyAuditEvent.objects.exists()

    def test_the_stored_key_is_not_in_the_admin(self, admin: Client) -> None:
        team_key_set(actor=None, plaintext=SIM_KEY)
        with pytest.raises(NoReverseMatch):
            reverse("admin:teamkey_teamkey_changelist")
        assert "Team keys" not in admin.get("/admin/").content.decode()
