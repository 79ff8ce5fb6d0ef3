from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from pytest_django import Settings

from playground.teamkey.models import TeamKey
from playground.teamkey.services import team_key_set
from tests.conftest import SIM_KEY

pytestmark = pytest.mark.django_db


def rotate() -> str:
    out = StringIO()
    call_command("rotate_encryption_key", stdout=out)
    return out.getvalue()


class TestRotateEncryptionKey:
    def test_it_re_encrypts_so_the_old_key_can_go(self, settings: Settings) -> None:
        old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
        settings.ENCRYPTION_KEYS = [old]
        team_key_set(actor=None, plaintext=SIM_KEY)
        settings.ENCRYPTION_KEYS = [new, old]
        assert "now encrypted under the newest encryption key" in rotate()
        settings.ENCRYPTION_KEYS = [new]
        assert TeamKey.objects.get().sealed().reveal() == SIM_KEY

    def test_it_says_when_there_is_nothing_to_do(self) -> None:
        assert "No team key is stored" in rotate()

    def test_it_reports_a_malformed_key_in_words(self, settings: Settings) -> None:
        team_key_set(actor=None, plaintext=SIM_KEY)
        settings.ENCRYPTION_KEYS = ["not-a-fernet-key"]
        with pytest.raises(CommandError, match="Key 1 of PLAYGROUND_ENCRYPTION_KEYS is not a"):
            rotate()

    def test_it_reports_a_key_that_cannot_decrypt_in_words(self, settings: Settings) -> None:
        team_key_set(actor=None, plaintext=SIM_KEY)
        settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
        with pytest.raises(CommandError, match="restore the old encryption key"):
            rotate()

    def test_it_leaves_the_stored_key_alone_when_it_fails(self, settings: Settings) -> None:
        team_key = team_key_set(actor=None, plaintext=SIM_KEY)
        settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
        with pytest.raises(CommandError):
            rotate()
        assert TeamKey.objects.get().ciphertext == team_key.ciphertext
