from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

from playground.gateway.transport import KeySource
from playground.teamkey import crypto
from playground.teamkey.models import SINGLETON_ID, KeyAuditEvent, TeamKey


@dataclass(frozen=True)
class TeamKeyStatus:
    """The stored key as the Team key page shows it. `problem` is an admin's sentence on why
    the key cannot be used (it names settings), or empty when it can."""

    team_key: TeamKey | None
    problem: str = ""


def team_key_get() -> TeamKey | None:
    return TeamKey.objects.filter(id=SINGLETON_ID).first()


def team_key_source() -> KeySource | None:
    """The team key for `GatewayClient(key=...)`, still encrypted, or None when none is set."""
    # Only what sealing needs: every gateway call waits on this read.
    team_key = TeamKey.objects.only("ciphertext", "hint", "set_at").filter(id=SINGLETON_ID).first()
    return team_key.sealed() if team_key else None


def team_key_status() -> TeamKeyStatus:
    """The stored key, and whether it still decrypts. Checking is not a use of the key."""
    team_key = team_key_get()
    if team_key is None:
        return TeamKeyStatus(team_key=None)
    try:
        crypto.decrypt(team_key.ciphertext)
    except crypto.DecryptionError as error:
        return TeamKeyStatus(team_key=team_key, problem=error.detail)
    except ImproperlyConfigured as error:
        return TeamKeyStatus(team_key=team_key, problem=str(error))
    return TeamKeyStatus(team_key=team_key)


def key_audit_event_list(*, limit: int = 50) -> QuerySet[KeyAuditEvent]:
    return KeyAuditEvent.objects.all()[:limit]
