import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.debug import sensitive_variables

from playground.accounts.models import User
from playground.gateway.client import GatewayClient
from playground.gateway.errors import GatewayAuthError, GatewayError
from playground.teamkey import crypto
from playground.teamkey.models import SINGLETON_ID, KeyAuditEvent, TeamKey, key_hint
from playground.teamkey.selectors import team_key_get

MIN_LENGTH = 8
MAX_LENGTH = 512
PRINTABLE_ASCII = (0x21, 0x7E)  # what an HTTP header can carry as a Bearer token
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class KeyTestResult:
    ok: bool
    message: str


def _audit(*, actor: User | None, action: KeyAuditEvent.Action, outcome: str) -> None:
    KeyAuditEvent.objects.create(
        actor=actor,
        actor_name=actor.get_username() if actor else "system",
        action=action,
        outcome=outcome,
    )


# The key test's outcome, stored in English and translated when shown (stored_text.py).
FAILED = gettext_noop("failed: %(error)s")
REJECTED = gettext_noop("rejected: %(error)s")


@sensitive_variables("plaintext", "key")
def _validated(plaintext: str) -> str:
    key = plaintext.strip()
    # The messages never quote the key: they end up on the page.
    if not key:
        raise ValidationError(_("Enter the team key."))
    if any(character.isspace() for character in key):
        raise ValidationError(_("A key has no spaces or line breaks inside it."))
    if not all(PRINTABLE_ASCII[0] <= ord(character) <= PRINTABLE_ASCII[1] for character in key):
        raise ValidationError(
            _(
                "A key has only plain letters, digits and punctuation (printable ASCII); this one "
                "has another character, such as an accented letter, a curly quote or an invisible "
                "one, often picked up when copying it. Copy it again from the gateway's page."
            )
        )
    if not MIN_LENGTH <= len(key) <= MAX_LENGTH:
        raise ValidationError(
            _("A key is %(min)s to %(max)s characters long; this one has %(length)s.")
            % {"min": MIN_LENGTH, "max": MAX_LENGTH, "length": len(key)}
        )
    return key


@sensitive_variables("plaintext", "key")
@transaction.atomic
def team_key_set(*, actor: User | None, plaintext: str) -> TeamKey:
    """Sets or replaces the team key. Only its ciphertext and hint are stored."""
    key = _validated(plaintext)
    previous = TeamKey.objects.select_for_update().filter(id=SINGLETON_ID).first()
    team_key = TeamKey(
        id=SINGLETON_ID,
        ciphertext=crypto.encrypt(key),
        hint=key_hint(key),
        set_by=actor,
        set_by_name=actor.get_username() if actor else "system",
    )
    team_key.save()
    if previous:
        _audit(
            actor=actor,
            action=KeyAuditEvent.Action.REPLACE,
            outcome=gettext_noop("%(old)s replaced by %(new)s")
            % {"old": previous.hint, "new": team_key.hint},
        )
    else:
        _audit(actor=actor, action=KeyAuditEvent.Action.SET, outcome=team_key.hint)
    return team_key


def team_key_test(*, actor: User | None) -> KeyTestResult:
    """Asks the gateway for its model list with the team key, and records what it said."""
    team_key = team_key_get()
    if team_key is None:
        return KeyTestResult(ok=False, message=gettext_noop("No team key is set: set one first."))
    # The call stays outside any transaction: it can take a while, and SQLite would hold its
    # write lock all along.
    try:
        models = GatewayClient(key=team_key.sealed()).list_models()
    except crypto.DecryptionError as error:
        # Only admins test the key: they get the sentence that says what to do.
        result = KeyTestResult(ok=False, message=FAILED % {"error": error.detail})
    except GatewayError as error:
        verdict = REJECTED if isinstance(error, GatewayAuthError) else FAILED
        result = KeyTestResult(ok=False, message=verdict % {"error": error.message})
    else:
        count = len(models)
        works = (
            gettext_noop("works: %(count)s model")
            if count == 1
            else gettext_noop("works: %(count)s models")
        )
        result = KeyTestResult(ok=True, message=works % {"count": count})
    with transaction.atomic():
        # Only if the key tested is still the one stored: it may have been replaced meanwhile.
        TeamKey.objects.filter(id=team_key.id, set_at=team_key.set_at).update(
            last_tested_at=timezone.now(),
            last_test_ok=result.ok,
            last_test_message=result.message,
        )
        _audit(actor=actor, action=KeyAuditEvent.Action.TEST, outcome=result.message)
    return result


@transaction.atomic
def team_key_revoke(*, actor: User | None) -> None:
    """Forgets the team key: the playground stops calling the gateway until a new one is set."""
    team_key = TeamKey.objects.select_for_update().filter(id=SINGLETON_ID).first()
    if team_key is None:
        raise ValidationError(_("There is no team key to revoke."))
    team_key.delete()
    _audit(
        actor=actor,
        action=KeyAuditEvent.Action.REVOKE,
        outcome=gettext_noop("%(hint)s removed") % {"hint": team_key.hint},
    )


@transaction.atomic
def team_key_rotate_encryption() -> bool:
    """Re-encrypts the stored key under the newest encryption key. False if none is stored."""
    team_key = TeamKey.objects.select_for_update().filter(id=SINGLETON_ID).first()
    if team_key is None:
        return False
    team_key.ciphertext = crypto.rotate(team_key.ciphertext)
    team_key.save(update_fields=["ciphertext"])
    _audit(
        actor=None,
        action=KeyAuditEvent.Action.ROTATE,
        outcome=gettext_noop("%(hint)s re-encrypted under the newest encryption key")
        % {"hint": team_key.hint},
    )
    return True


def team_key_adopt_simulator() -> bool:
    """In local mode, with no team key and the gateway URL on this machine, makes the local
    simulator's key the team key. True if it did."""
    host = urlsplit(settings.STARRISE_BASE_URL).hostname
    if settings.PRODUCTION or host not in LOCAL_HOSTS or team_key_get() is not None:
        return False
    team_key_set(actor=None, plaintext=_simulator_key(Path(settings.SIMULATOR_KEY_FILE)))
    return True


@sensitive_variables("key")
def _simulator_key(path: Path) -> str:
    """Reads the key the simulator accepts, creating the file (0600) on first use."""
    key = f"sk-sim-{secrets.token_hex(16)}"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: if the simulator creates it at the same moment, both read the one file.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        # The simulator accepts one key per line; the first will do.
        keys = path.read_text().split()
        return keys[0] if keys else ""
    with os.fdopen(fd, "w") as file:
        file.write(key + "\n")
    return key
