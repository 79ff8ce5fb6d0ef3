import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from pytest_django import Settings

from playground.teamkey import crypto
from playground.teamkey.crypto import DecryptionError, SealedKey

KEY = "sk-crypto-test-key-9876"


@pytest.fixture
def old_key(settings: Settings) -> str:
    key = Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [key]
    return key


class TestEncryption:
    def test_it_round_trips(self, old_key: str) -> None:
        assert crypto.decrypt(crypto.encrypt(KEY)) == KEY

    def test_it_never_stores_the_plaintext(self, old_key: str) -> None:
        assert KEY not in crypto.encrypt(KEY)

    def test_the_old_key_still_decrypts_once_a_new_one_is_first(
        self, old_key: str, settings: Settings
    ) -> None:
        token = crypto.encrypt(KEY)
        settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old_key]
        assert crypto.decrypt(token) == KEY

    def test_after_rotation_the_new_key_alone_decrypts(
        self, old_key: str, settings: Settings
    ) -> None:
        token = crypto.encrypt(KEY)
        new_key = Fernet.generate_key().decode()
        settings.ENCRYPTION_KEYS = [new_key, old_key]
        rotated = crypto.rotate(token)
        settings.ENCRYPTION_KEYS = [new_key]
        assert crypto.decrypt(rotated) == KEY
        with pytest.raises(DecryptionError):
            crypto.decrypt(token)

    def test_it_explains_a_token_no_key_can_decrypt(self, old_key: str, settings: Settings) -> None:
        token = crypto.encrypt(KEY)
        settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
        with pytest.raises(DecryptionError) as raised:
            crypto.decrypt(token)
        assert raised.value.detail == (
            "The stored key cannot be decrypted with PLAYGROUND_ENCRYPTION_KEYS: set the key "
            "again or restore the old encryption key."
        )

    def test_what_members_read_names_no_setting(self, old_key: str, settings: Settings) -> None:
        token = crypto.encrypt(KEY)
        settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
        with pytest.raises(DecryptionError) as raised:
            crypto.decrypt(token)
        assert raised.value.message == (
            "The stored team key cannot be decrypted: ask an admin to set it again."
        )
        assert str(raised.value) == raised.value.message


class TestConfiguration:
    def test_it_needs_a_key(self, settings: Settings) -> None:
        settings.ENCRYPTION_KEYS = [""]
        with pytest.raises(ImproperlyConfigured, match="PLAYGROUND_ENCRYPTION_KEYS is empty"):
            crypto.encrypt(KEY)

    def test_it_names_a_bad_key_by_position_without_echoing_it(
        self, old_key: str, settings: Settings
    ) -> None:
        settings.ENCRYPTION_KEYS = [old_key, "not-a-fernet-key"]
        with pytest.raises(ImproperlyConfigured, match="Key 2 of") as raised:
            crypto.encrypt(KEY)
        assert "not-a-fernet-key" not in str(raised.value)

    def test_it_refuses_the_secret_key(self, settings: Settings) -> None:
        settings.SECRET_KEY = Fernet.generate_key().decode()
        settings.ENCRYPTION_KEYS = [settings.SECRET_KEY]
        with pytest.raises(ImproperlyConfigured, match="must not contain SECRET_KEY"):
            crypto.encrypt(KEY)


class TestSealedKey:
    def test_it_reveals_the_key_only_when_asked(self, old_key: str) -> None:
        sealed = SealedKey(ciphertext=crypto.encrypt(KEY), hint="sk-…9876")
        assert sealed.reveal() == KEY

    def test_it_tells_whoever_uses_it_after_a_use(self, old_key: str) -> None:
        uses: list[str] = []
        sealed = SealedKey(
            ciphertext=crypto.encrypt(KEY), hint="sk-…9876", on_reveal=lambda: uses.append("used")
        )
        sealed.reveal()
        assert uses == ["used"]

    def test_a_key_that_cannot_be_decrypted_is_not_a_use(
        self, old_key: str, settings: Settings
    ) -> None:
        uses: list[str] = []
        token = crypto.encrypt(KEY)
        settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
        sealed = SealedKey(ciphertext=token, hint="sk-…9876", on_reveal=lambda: uses.append("used"))
        with pytest.raises(DecryptionError):
            sealed.reveal()
        assert uses == []

    def test_malformed_encryption_keys_read_as_an_unusable_key(
        self, old_key: str, settings: Settings
    ) -> None:
        sealed = SealedKey(ciphertext=crypto.encrypt(KEY), hint="sk-…9876")
        settings.ENCRYPTION_KEYS = ["not-a-fernet-key"]
        with pytest.raises(DecryptionError) as raised:
            sealed.reveal()
        assert "PLAYGROUND_ENCRYPTION_KEYS" not in raised.value.message
        assert raised.value.detail.startswith("Key 1 of PLAYGROUND_ENCRYPTION_KEYS is not a Fernet")

    def test_it_shows_only_the_hint(self, old_key: str) -> None:
        sealed = SealedKey(ciphertext=crypto.encrypt(KEY), hint="sk-…9876")
        assert repr(sealed) == str(sealed) == "<SealedKey sk-…9876>"
