from django.contrib import admin

from playground.readonly_admin import ReadOnlyAdmin
from playground.teamkey.models import KeyAuditEvent

# TeamKey is deliberately not registered: the Team key page shows its hint and metadata, and
# nothing in the admin should ever hold its ciphertext.


@admin.register(KeyAuditEvent)
class KeyAuditEventAdmin(ReadOnlyAdmin[KeyAuditEvent]):
    """The audit log is read-only, for admins too; Django shows each event as a view."""

    list_display = ["created_at", "actor_name", "action", "outcome"]
    list_filter = ["action"]
