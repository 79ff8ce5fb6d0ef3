from datetime import UTC, datetime

import pytest
from cryptography.fernet import Fernet
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from playground.teamkey.models import KeyAuditEvent, TeamKey
from playground.teamkey.selectors import team_key_source
from playground.teamkey.services import team_key_set
from tests.conftest import SIM_KEY, Simulator
from tests.factories import AdminFactory

pytestmark = pytest.mark.django_db

WRONG_KEY = "sk-wrong-key-for-the-simulator-7777"
HTMX = {"HX-Request": "true"}


class TestPage:
    def test_it_shows_the_status_and_the_audit_log(self, admin: Client) -> None:
        team_key_set(actor=None, plaintext=SIM_KEY)
        response = admin.get(reverse("teamkey:page"))
        body = response.content.decode()
        assert response.status_code == 200
        assert response.context["nav"] == "teamkey"
        assert "<code>sk-…a1b2</code>" in body
        assert "Test key" in body
        assert 'id="key-audit"' in body
        assert SIM_KEY not in body

    def test_it_says_when_no_key_is_set(self, admin: Client) -> None:
        body = admin.get(reverse("teamkey:page")).content.decode()
        assert "No team key is set" in body
        assert "Test key" not in body
        assert "Revoke key" not in body

    def test_the_key_field_is_write_only(self, admin: Client) -> None:
        body = admin.get(reverse("teamkey:page")).content.decode()
        assert 'type="password" name="key" autocomplete="off"' in body

    def test_it_forbids_members(self, member: Client) -> None:
        assert member.get(reverse("teamkey:page")).status_code == 403

    def test_it_sends_anonymous_people_to_log_in(self, client: Client) -> None:
        response = client.get(reverse("teamkey:page"))
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next={reverse('teamkey:page')}"


class TestPageStatus:
    def test_it_shows_when_the_key_was_last_used(self, admin: Client) -> None:
        team_key_set(actor=None, plaintext=SIM_KEY)
        TeamKey.objects.update(last_used_at=datetime(2026, 3, 4, 5, 6, tzinfo=UTC))
        body = admin.get(reverse("teamkey:page")).content.decode()
        assert "<tr><th>Last used</th><td>4 Mar 2026, 05:06 UTC</td></tr>" in body

    def test_it_says_a_new_key_was_never_used(self, admin: Client) -> None:
        team_key_set(actor=None, plaintext=SIM_KEY)
        body = admin.get(reverse("teamkey:page")).content.decode()
        assert "<tr><th>Last used</th><td>never</td></tr>" in body

    def test_opening_the_page_is_not_a_use(self, admin: Client) -> None:
        team_key_set(actor=None, plaintext=SIM_KEY)
        admin.get(reverse("teamkey:page"))
        assert TeamKey.objects.get().last_used_at is None

    def test_it_shows_the_gateways_answer_to_the_last_test(self, admin: Client) -> None:
        team_key_set(actor=None, plaintext=SIM_KEY)
        TeamKey.objects.update(
            last_tested_at=datetime(2026, 3, 4, tzinfo=UTC),
            last_test_ok=False,
            last_test_message="rejected: The gateway rejected the team key (401)",
        )
        body = admin.get(reverse("teamkey:page")).content.decode()
        assert "Last test: rejected: The gateway rejected the team key (401)" in body

    def test_it_warns_at_once_when_the_key_no_longer_decrypts(
        self, admin: Client, settings: Settings
    ) -> None:
        team_key_set(actor=None, plaintext=SIM_KEY)
        settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
        body = admin.get(reverse("teamkey:page")).content.decode()
        assert 'id="key-problem"' in body
        assert (
            "The stored key cannot be decrypted with PLAYGROUND_ENCRYPTION_KEYS: set the key "
            "again or restore the old encryption key." in body
        )

    def test_it_warns_when_the_encryption_keys_are_malformed(
        self, admin: Client, settings: Settings
    ) -> None:
        team_key_set(actor=None, plaintext=SIM_KEY)
        settings.ENCRYPTION_KEYS = ["not-a-fernet-key"]
        body = admin.get(reverse("teamkey:page")).content.decode()
        assert "Key 1 of PLAYGROUND_ENCRYPTION_KEYS is not a Fernet key" in body
        assert "not-a-fernet-key" not in body

    def test_it_does_not_warn_when_the_key_decrypts(self, admin: Client) -> None:
        team_key_set(actor=None, plaintext=SIM_KEY)
        assert 'id="key-problem"' not in admin.get(reverse("teamkey:page")).content.decode()

    def test_a_test_of_an_undecryptable_key_tells_the_admin_what_to_do(
        self, admin: Client, settings: Settings
    ) -> None:
        team_key_set(actor=None, plaintext=SIM_KEY)
        settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
        body = admin.post(reverse("teamkey:test"), follow=True).content.decode()
        assert "Key test: failed: The stored key cannot be decrypted with PLAYGROUND_" in body


class TestSet:
    def test_it_saves_the_key_and_redirects(self, admin: Client) -> None:
        response = admin.post(reverse("teamkey:set"), {"key": SIM_KEY})
        assert response.status_code == 302
        assert response["Location"] == reverse("teamkey:page")
        source = team_key_source()
        assert source is not None
        assert source.reveal() == SIM_KEY

    def test_it_hides_the_key_after_saving(self, admin: Client) -> None:
        response = admin.post(reverse("teamkey:set"), {"key": SIM_KEY}, follow=True)
        body = response.content.decode()
        assert "The team key is saved." in body
        assert "sk-…a1b2" in body
        assert SIM_KEY not in body

    def test_it_hides_the_key_after_a_failed_submit(self, admin: Client) -> None:
        bad_key = "sk-has a-space-in-it-1234"
        response = admin.post(reverse("teamkey:set"), {"key": bad_key})
        body = response.content.decode()
        assert response.status_code == 400
        assert "A key has no spaces or line breaks inside it." in body
        assert "sk-has" not in body
        assert not TeamKey.objects.exists()

    def test_it_asks_for_a_key(self, admin: Client) -> None:
        response = admin.post(reverse("teamkey:set"), {"key": ""})
        assert response.status_code == 400
        assert "This field is required." in response.content.decode()

    def test_it_rejects_get(self, admin: Client) -> None:
        assert admin.get(reverse("teamkey:set")).status_code == 405

    def test_it_forbids_members(self, member: Client) -> None:
        assert member.post(reverse("teamkey:set"), {"key": SIM_KEY}).status_code == 403
        assert not TeamKey.objects.exists()


class TestTest:
    def test_it_reports_that_the_key_works(self, admin: Client, sim: Simulator) -> None:
        team_key_set(actor=None, plaintext=sim.key)
        response = admin.post(reverse("teamkey:test"), follow=True)
        assert response.redirect_chain == [(reverse("teamkey:page"), 302)]
        assert "Key test: works:" in response.content.decode()

    def test_it_reports_the_401_sentence_for_a_wrong_key(
        self, admin: Client, sim: Simulator
    ) -> None:
        team_key_set(actor=None, plaintext=WRONG_KEY)
        body = admin.post(reverse("teamkey:test"), follow=True).content.decode()
        assert "Key test: rejected: The gateway rejected the team key (401)" in body
        assert WRONG_KEY not in body

    def test_it_updates_in_place_for_htmx(self, admin: Client, sim: Simulator) -> None:
        team_key_set(actor=None, plaintext=sim.key)
        response = admin.post(reverse("teamkey:test"), headers=HTMX)
        body = response.content.decode()
        assert response.status_code == 200
        assert body.lstrip().startswith('<section id="key-status"')
        assert "<html" not in body
        assert "works:" in body
        assert 'id="key-audit" class="panel" hx-swap-oob="true"' in body
        assert "Key test" not in body  # no message left for the next full page

    def test_it_forbids_members(self, member: Client) -> None:
        team_key_set(actor=None, plaintext=SIM_KEY)
        assert member.post(reverse("teamkey:test")).status_code == 403
        assert not KeyAuditEvent.objects.filter(action=KeyAuditEvent.Action.TEST).exists()


class TestRevoke:
    def test_it_needs_the_box_ticked(self, admin: Client) -> None:
        team_key_set(actor=None, plaintext=SIM_KEY)
        response = admin.post(reverse("teamkey:revoke"), follow=True)
        assert "Tick the box to confirm" in response.content.decode()
        assert TeamKey.objects.exists()

    def test_it_revokes(self, admin: Client) -> None:
        team_key_set(actor=None, plaintext=SIM_KEY)
        response = admin.post(reverse("teamkey:revoke"), {"confirm": "on"}, follow=True)
        assert "The team key is revoked." in response.content.decode()
        assert not TeamKey.objects.exists()

    def test_it_says_when_there_is_nothing_to_revoke(self, admin: Client) -> None:
        response = admin.post(reverse("teamkey:revoke"), {"confirm": "on"}, follow=True)
        assert "There is no team key to revoke." in response.content.decode()

    def test_it_forbids_members(self, member: Client) -> None:
        team_key_set(actor=None, plaintext=SIM_KEY)
        assert member.post(reverse("teamkey:revoke"), {"confirm": "on"}).status_code == 403
        assert TeamKey.objects.exists()


class TestCsrf:
    @pytest.mark.parametrize("name", ["teamkey:set", "teamkey:test", "teamkey:revoke"])
    def test_each_post_needs_a_token(self, name: str) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(AdminFactory.create())
        team_key_set(actor=None, plaintext=SIM_KEY)
        response = client.post(reverse(name), {"key": WRONG_KEY, "confirm": "on"})
        assert response.status_code == 403
        assert TeamKey.objects.get().hint == "sk-…a1b2"

    def test_the_pages_token_is_accepted(self) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(AdminFactory.create())
        client.get(reverse("teamkey:page"))
        token = client.cookies["csrftoken"].value
        response = client.post(
            reverse("teamkey:set"), {"key": SIM_KEY, "csrfmiddlewaretoken": token}
        )
        assert response.status_code == 302
        assert TeamKey.objects.exists()
