from django.contrib import admin
from django.http import HttpRequest

from playground.teamkey.models import KeyAuditEvent

# TeamKey is deliberately not registered: the Team key page shows its hint and metadata, and
# nothing in the admin should ever hold its ciphertext.


@admin.register(KeyAuditEvent)
class KeyAuditEventAdmin(admin.ModelAdmin[KeyAuditEvent]):
    list_display = ["created_at", "actor_name", "action", "outcome"]
    list_filter = ["action"]

    # The audit log is read-only, for admins too; Django then shows each event as a view.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: KeyAuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: KeyAuditEvent | None = None) -> bool:
        return False
