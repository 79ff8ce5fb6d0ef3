from cryptography.fernet import Fernet
from django.core import checks
from pytest_django import Settings

from playground.teamkey.checks import encryption_keys_check


class TestEncryptionKeysCheck:
    def test_good_keys_pass(self, settings: Settings) -> None:
        settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode(), Fernet.generate_key().decode()]
        assert encryption_keys_check() == []

    def test_a_malformed_key_is_an_error_in_words(self, settings: Settings) -> None:
        settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode(), "not-a-fernet-key"]
        [error] = encryption_keys_check()
        assert error.level == checks.ERROR
        assert error.id == "teamkey.E001"
        assert error.msg.startswith("Key 2 of PLAYGROUND_ENCRYPTION_KEYS is not a Fernet key")
        assert "not-a-fernet-key" not in str(error)

    def test_no_key_is_an_error(self, settings: Settings) -> None:
        settings.ENCRYPTION_KEYS = [""]
        [error] = encryption_keys_check()
        assert "PLAYGROUND_ENCRYPTION_KEYS is empty" in error.msg

    def test_it_is_registered_with_django(self) -> None:
        registered = [getattr(c, "__name__", "") for c in checks.registry.registry.get_checks()]
        assert "encryption_keys_check" in registered
