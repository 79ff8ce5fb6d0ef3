from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from playground.accounts.models import AuditEvent, User

admin.site.register(User, UserAdmin)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = ["created_at", "actor_name", "action", "subject_name", "detail"]
    list_filter = ["action"]

    # The audit log is read-only, for admins too; Django then shows each event as a view.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
