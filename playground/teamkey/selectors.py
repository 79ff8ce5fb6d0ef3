from django.db.models import QuerySet

from playground.gateway.transport import KeySource
from playground.teamkey.models import SINGLETON_ID, KeyAuditEvent, TeamKey


def team_key_get() -> TeamKey | None:
    return TeamKey.objects.filter(id=SINGLETON_ID).first()


def team_key_source() -> KeySource | None:
    """The team key for `GatewayClient(key=...)`, still encrypted, or None when none is set."""
    team_key = team_key_get()
    return team_key.sealed() if team_key else None


def key_audit_event_list(*, limit: int = 50) -> QuerySet[KeyAuditEvent]:
    return KeyAuditEvent.objects.all()[:limit]
