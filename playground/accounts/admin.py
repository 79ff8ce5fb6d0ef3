from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from playground.accounts.models import AuditEvent, User
from playground.readonly_admin import ReadOnlyAdmin

admin.site.register(User, UserAdmin)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin[AuditEvent]):
    """The audit log is read-only, for admins too; Django shows each event as a view."""

    list_display = ["created_at", "actor_name", "action", "subject_name", "detail"]
    list_filter = ["action"]
