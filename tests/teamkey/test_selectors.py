import pytest
from cryptography.fernet import Fernet
from pytest_django import Settings

from playground.gateway.client import GatewayClient
from playground.gateway.errors import GatewayError
from playground.teamkey.models import KeyAuditEvent, TeamKey
from playground.teamkey.selectors import (
    TeamKeyStatus,
    key_audit_event_list,
    team_key_source,
    team_key_status,
)
from playground.teamkey.services import team_key_revoke, team_key_set
from tests.conftest import SIM_KEY
from tests.factories import AdminFactory

pytestmark = pytest.mark.django_db


class TestTeamKeySource:
    def test_it_is_none_without_a_key(self) -> None:
        assert team_key_source() is None

    def test_it_reveals_the_stored_key(self) -> None:
        team_key_set(actor=None, plaintext=SIM_KEY)
        source = team_key_source()
        assert source is not None
        assert source.reveal() == SIM_KEY
        assert SIM_KEY not in repr(source)


class TestKeyAuditEventList:
    def test_it_lists_the_newest_first(self) -> None:
        admin = AdminFactory.create()
        team_key_set(actor=admin, plaintext=SIM_KEY)
        team_key_revoke(actor=admin)
        actions = [event.action for event in key_audit_event_list()]
        assert actions == [KeyAuditEvent.Action.REVOKE, KeyAuditEvent.Action.SET]


class TestTeamKeyStatus:
    def test_it_is_empty_without_a_key(self) -> None:
        assert team_key_status() == TeamKeyStatus(team_key=None)

    def test_a_key_that_decrypts_has_no_problem(self) -> None:
        team_key_set(actor=None, plaintext=SIM_KEY)
        assert team_key_status().problem == ""

    def test_it_says_what_to_do_when_the_key_no_longer_decrypts(self, settings: Settings) -> None:
        team_key_set(actor=None, plaintext=SIM_KEY)
        settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
        assert team_key_status().problem == (
            "The stored key cannot be decrypted with PLAYGROUND_ENCRYPTION_KEYS: set the key "
            "again or restore the old encryption key."
        )

    def test_it_says_when_the_encryption_keys_are_malformed(self, settings: Settings) -> None:
        team_key_set(actor=None, plaintext=SIM_KEY)
        settings.ENCRYPTION_KEYS = ["not-a-fernet-key"]
        assert "is not a Fernet key" in team_key_status().problem

    def test_checking_is_not_a_use(self) -> None:
        team_key_set(actor=None, plaintext=SIM_KEY)
        team_key_status()
        assert TeamKey.objects.get().last_used_at is None


class TestWhatMembersRead:
    """Every page a member sees shows the gateway error's `message`: it names no setting."""

    @pytest.mark.parametrize("keys", [["fresh"], ["not-a-fernet-key"]], ids=["other", "malformed"])
    def test_an_unusable_key_names_no_setting(self, settings: Settings, keys: list[str]) -> None:
        team_key_set(actor=None, plaintext=SIM_KEY)
        settings.ENCRYPTION_KEYS = [
            Fernet.generate_key().decode() if k == "fresh" else k for k in keys
        ]
        with pytest.raises(GatewayError) as raised:
            GatewayClient(key=team_key_source(), base_url="http://127.0.0.1:9").list_models()
        assert raised.value.message == (
            "The stored team key cannot be decrypted: ask an admin to set it again."
        )
        assert "PLAYGROUND_" not in raised.value.message
        assert "ENCRYPTION" not in raised.value.message
