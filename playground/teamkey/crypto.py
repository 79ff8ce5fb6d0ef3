"""Encryption of the team key at rest, with keys of its own (PLAYGROUND_ENCRYPTION_KEYS).

The first key encrypts; every key decrypts, so a new key can be put in front of the old one
and the stored key re-encrypted with `manage.py rotate_encryption_key`.
"""

from collections.abc import Callable

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_noop

from playground.gateway.errors import NoTeamKeyError

GENERATE = (
    "generate one with: python -c 'from cryptography.fernet import Fernet; "
    "print(Fernet.generate_key().decode())'"
)
# What members read (on the chat, images and video pages): nothing they cannot act on.
UNUSABLE = gettext_noop("The stored team key cannot be decrypted: ask an admin to set it again.")
# What admins read (the Team key page, the key test, the rotate command): what to do about it.
UNDECRYPTABLE = gettext_noop(
    "The stored key cannot be decrypted with PLAYGROUND_ENCRYPTION_KEYS: set the key again or "
    "restore the old encryption key."
)


class DecryptionError(NoTeamKeyError):
    """The stored team key cannot be decrypted: it was encrypted under a key that is no longer
    configured, or the configured keys are malformed. To a caller of the gateway this is the
    same as having no key. `message` is for anyone; `detail` names the setting, for admins."""

    def __init__(self, detail: str) -> None:
        super().__init__(UNUSABLE)
        self.detail = detail


def fernet() -> MultiFernet:
    keys = [key.strip() for key in settings.ENCRYPTION_KEYS if key.strip()]
    if not keys:
        raise ImproperlyConfigured(f"PLAYGROUND_ENCRYPTION_KEYS is empty: {GENERATE}.")
    if settings.SECRET_KEY in keys:
        raise ImproperlyConfigured(
            f"PLAYGROUND_ENCRYPTION_KEYS must not contain SECRET_KEY: {GENERATE}."
        )
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key))
        except ValueError:
            # Never echo the key itself, even a malformed one.
            raise ImproperlyConfigured(
                f"Key {position} of PLAYGROUND_ENCRYPTION_KEYS is not a Fernet key "
                f"(32 url-safe base64-encoded bytes): {GENERATE}."
            ) from None
    return MultiFernet(fernets)


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise DecryptionError(UNDECRYPTABLE) from None


def rotate(token: str) -> str:
    """Re-encrypts a token under the first (newest) key."""
    try:
        return fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise DecryptionError(UNDECRYPTABLE) from None


class SealedKey:
    """The team key as the gateway client takes it: encrypted until `reveal()` is called,
    which the client does inside each request. Its repr shows only the hint."""

    __slots__ = ("_ciphertext", "_on_reveal", "hint")

    def __init__(
        self, *, ciphertext: str, hint: str, on_reveal: Callable[[], None] | None = None
    ) -> None:
        self._ciphertext = ciphertext
        self._on_reveal = on_reveal
        self.hint = hint

    def reveal(self) -> str:
        try:
            plaintext = decrypt(self._ciphertext)
        except ImproperlyConfigured as error:
            # Malformed keys (the start-up check says so first): a sentence, not a 500.
            raise DecryptionError(str(error)) from None
        if self._on_reveal is not None:
            self._on_reveal()
        return plaintext

    def __repr__(self) -> str:
        return f"<SealedKey {self.hint}>"
