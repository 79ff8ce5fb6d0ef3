import re
import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ValidationError
from django.utils import timezone
from pytest_django import Settings

from playground.gateway.client import GatewayClient
from playground.teamkey.models import KeyAuditEvent, TeamKey
from playground.teamkey.selectors import team_key_source
from playground.teamkey.services import (
    team_key_adopt_simulator,
    team_key_revoke,
    team_key_rotate_encryption,
    team_key_set,
    team_key_test,
)
from tests.conftest import SIM_KEY, Simulator
from tests.factories import AdminFactory

pytestmark = pytest.mark.django_db

WRONG_KEY = "sk-wrong-key-for-the-simulator-7777"


def stored_text() -> str:
    """Every text the team key tables hold, to search for a leaked key."""
    rows = [*TeamKey.objects.values_list(), *KeyAuditEvent.objects.values_list()]
    return " ".join(str(value) for row in rows for value in row)


class TestTeamKeySet:
    def test_it_stores_only_the_ciphertext_and_a_hint(self) -> None:
        admin = AdminFactory.create()
        team_key = team_key_set(actor=admin, plaintext=SIM_KEY)
        assert team_key.hint == "sk-…a1b2"
        assert team_key.set_by == admin
        assert team_key.set_by_name == admin.username
        assert team_key.sealed().reveal() == SIM_KEY
        assert SIM_KEY not in stored_text()

    def test_it_records_a_set(self) -> None:
        admin = AdminFactory.create()
        team_key_set(actor=admin, plaintext=SIM_KEY)
        event = KeyAuditEvent.objects.get()
        assert (event.actor, event.actor_name) == (admin, admin.username)
        assert event.action == KeyAuditEvent.Action.SET
        assert event.outcome == "sk-…a1b2"

    def test_it_records_a_replace_with_both_hints(self) -> None:
        team_key_set(actor=None, plaintext=SIM_KEY)
        team_key_set(actor=AdminFactory.create(), plaintext=WRONG_KEY)
        event = KeyAuditEvent.objects.first()
        assert event is not None
        assert event.action == KeyAuditEvent.Action.REPLACE
        assert event.outcome == "sk-…a1b2 replaced by sk-…7777"
        assert TeamKey.objects.get().sealed().reveal() == WRONG_KEY

    def test_a_new_key_starts_untested(self) -> None:
        team_key_set(actor=None, plaintext=SIM_KEY)
        TeamKey.objects.update(last_tested_at=timezone.now(), last_test_ok=True)
        team_key = team_key_set(actor=None, plaintext=WRONG_KEY)
        team_key.refresh_from_db()
        assert (team_key.last_tested_at, team_key.last_test_ok) == (None, None)

    def test_it_strips_surrounding_whitespace(self) -> None:
        team_key_set(actor=None, plaintext=f"  {SIM_KEY}\n")
        source = team_key_source()
        assert source is not None
        assert source.reveal() == SIM_KEY

    def test_it_shows_system_when_no_one_set_it(self) -> None:
        team_key = team_key_set(actor=None, plaintext=SIM_KEY)
        assert team_key.set_by_name == "system"
        assert KeyAuditEvent.objects.get().actor_name == "system"

    @pytest.mark.parametrize(
        ("plaintext", "message"),
        [
            ("   ", "Enter the team key."),
            ("sk-two words-123456", "no spaces or line breaks"),
            ("sk-1234", "8 to 512 characters long; this one has 7"),
            ("sk-" + "x" * 510, "8 to 512 characters long; this one has 513"),
        ],
    )
    def test_it_rejects_a_malformed_key_without_quoting_it(
        self, plaintext: str, message: str
    ) -> None:
        with pytest.raises(ValidationError) as raised:
            team_key_set(actor=None, plaintext=plaintext)
        assert message in " ".join(raised.value.messages)
        if plaintext.strip():
            assert plaintext not in str(raised.value)
        assert not TeamKey.objects.exists()
        assert not KeyAuditEvent.objects.exists()


class TestTeamKeyTest:
    def test_a_right_key_works(self, sim: Simulator) -> None:
        admin = AdminFactory.create()
        team_key_set(actor=admin, plaintext=sim.key)
        result = team_key_test(actor=admin)
        assert result.ok
        assert re.fullmatch(r"works: \d+ models", result.message)
        team_key = TeamKey.objects.get()
        assert team_key.last_test_ok is True
        assert team_key.last_tested_at is not None
        assert team_key.last_test_message == result.message

    def test_it_records_that_the_key_was_used(self, sim: Simulator) -> None:
        team_key_set(actor=None, plaintext=sim.key)
        team_key_test(actor=None)
        assert TeamKey.objects.get().last_used_at is not None

    def test_any_call_with_the_team_key_records_its_use(self, sim: Simulator) -> None:
        team_key_set(actor=None, plaintext=sim.key)
        GatewayClient(key=team_key_source()).list_models()
        assert TeamKey.objects.get().last_used_at is not None

    def test_it_records_the_test(self, sim: Simulator) -> None:
        admin = AdminFactory.create()
        team_key_set(actor=admin, plaintext=sim.key)
        result = team_key_test(actor=admin)
        event = KeyAuditEvent.objects.first()
        assert event is not None
        assert (event.actor, event.action, event.outcome) == (
            admin,
            KeyAuditEvent.Action.TEST,
            result.message,
        )

    def test_a_wrong_key_is_rejected_with_the_401_sentence(self, sim: Simulator) -> None:
        team_key_set(actor=None, plaintext=WRONG_KEY)
        result = team_key_test(actor=None)
        assert not result.ok
        assert result.message.startswith("rejected: The gateway rejected the team key (401)")
        assert TeamKey.objects.get().last_test_ok is False
        assert KeyAuditEvent.objects.filter(outcome=result.message).exists()
        assert WRONG_KEY not in stored_text()

    def test_an_upstream_failure_is_not_called_a_rejection(self, sim: Simulator) -> None:
        sim.configure(fault="500", fault_routes="models")
        team_key_set(actor=None, plaintext=sim.key)
        result = team_key_test(actor=None)
        assert not result.ok
        assert result.message.startswith("failed: The gateway had an internal error (500)")

    def test_it_says_when_the_key_cannot_be_decrypted(self, settings: Settings) -> None:
        team_key_set(actor=None, plaintext=SIM_KEY)
        settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
        result = team_key_test(actor=None)
        assert not result.ok
        assert result.message == (
            "failed: The stored key cannot be decrypted with PLAYGROUND_ENCRYPTION_KEYS: set the "
            "key again or restore the old encryption key."
        )

    def test_it_needs_a_key(self) -> None:
        result = team_key_test(actor=None)
        assert not result.ok
        assert result.message == "No team key is set: set one first."
        assert not KeyAuditEvent.objects.exists()


class TestTeamKeyRevoke:
    def test_it_forgets_the_key(self) -> None:
        admin = AdminFactory.create()
        team_key_set(actor=admin, plaintext=SIM_KEY)
        team_key_revoke(actor=admin)
        assert team_key_source() is None
        event = KeyAuditEvent.objects.first()
        assert event is not None
        assert (event.actor, event.action, event.outcome) == (
            admin,
            KeyAuditEvent.Action.REVOKE,
            "sk-…a1b2 removed",
        )

    def test_it_says_when_there_is_nothing_to_revoke(self) -> None:
        with pytest.raises(ValidationError, match=r"There is no team key to revoke\."):
            team_key_revoke(actor=None)


class TestTeamKeyRotateEncryption:
    def test_it_re_encrypts_under_the_newest_key(self, settings: Settings) -> None:
        old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
        settings.ENCRYPTION_KEYS = [old]
        team_key_set(actor=None, plaintext=SIM_KEY)
        settings.ENCRYPTION_KEYS = [new, old]
        assert team_key_rotate_encryption()
        settings.ENCRYPTION_KEYS = [new]
        assert TeamKey.objects.get().sealed().reveal() == SIM_KEY
        event = KeyAuditEvent.objects.first()
        assert event is not None
        assert (event.actor_name, event.action) == ("system", KeyAuditEvent.Action.ROTATE)

    def test_it_does_nothing_without_a_key(self) -> None:
        assert not team_key_rotate_encryption()
        assert not KeyAuditEvent.objects.exists()


@pytest.fixture
def local(settings: Settings, tmp_path: Path) -> Path:
    """Local mode, the gateway URL on this machine, and a key file in a temporary folder."""
    settings.PRODUCTION = False
    settings.STARRISE_BASE_URL = "http://127.0.0.1:8001"
    path = tmp_path / "var" / "simulator.key"
    settings.SIMULATOR_KEY_FILE = path
    return path


class TestTeamKeyAdoptSimulator:
    def test_it_creates_a_private_key_file_and_sets_its_key(self, local: Path) -> None:
        assert team_key_adopt_simulator()
        key = local.read_text().strip()
        assert re.fullmatch(r"sk-sim-[0-9a-f]{32}", key)
        assert stat.S_IMODE(local.stat().st_mode) == 0o600
        source = team_key_source()
        assert source is not None
        assert source.reveal() == key

    def test_it_uses_the_key_already_in_the_file(self, local: Path) -> None:
        local.parent.mkdir()
        local.write_text(SIM_KEY + "\n")
        assert team_key_adopt_simulator()
        event = KeyAuditEvent.objects.get()
        assert (event.actor, event.actor_name, event.outcome) == (None, "system", "sk-…a1b2")

    def test_it_keeps_a_key_that_is_already_set(self, local: Path) -> None:
        team_key_set(actor=None, plaintext=WRONG_KEY)
        assert not team_key_adopt_simulator()
        assert not local.exists()

    def test_it_does_nothing_in_production(self, local: Path, settings: Settings) -> None:
        settings.PRODUCTION = True
        assert not team_key_adopt_simulator()
        assert team_key_source() is None

    def test_it_does_nothing_for_a_remote_gateway(self, local: Path, settings: Settings) -> None:
        settings.STARRISE_BASE_URL = "https://ai.alad.com"
        assert not team_key_adopt_simulator()
        assert not local.exists()


class TestTeamKeySetCharacters:
    @pytest.mark.parametrize(
        "key",
        [
            "sk-caf\u00e9-accented-key-1234",  # an accented letter
            "sk-\u201cquoted\u201d-key-12345678",  # curly quotes from a document
            "sk-zero\u200bwidth-key-12345678",  # an invisible zero-width space
            "sk-control\x07char-key-12345678",  # a control character
        ],
    )
    def test_it_accepts_only_printable_ascii_without_quoting_the_key(self, key: str) -> None:
        with pytest.raises(ValidationError) as caught:
            team_key_set(actor=None, plaintext=key)
        message = " ".join(caught.value.messages)
        assert "printable ASCII" in message
        assert key not in message
        assert "sk-" not in message
        assert not TeamKey.objects.exists()

    def test_it_accepts_every_printable_ascii_character(self) -> None:
        key = "".join(chr(code) for code in range(0x21, 0x7F))
        team_key_set(actor=None, plaintext=key)
        assert TeamKey.objects.get().sealed().reveal() == key
