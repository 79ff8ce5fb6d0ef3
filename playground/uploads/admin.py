from django.contrib import admin
from django.http import HttpRequest

from playground.uploads.models import Upload


@admin.register(Upload)
class UploadAdmin(admin.ModelAdmin[Upload]):
    list_display = [
        "created_at",
        "original_name",
        "created_by",
        "content_type",
        "size",
        "width",
        "height",
    ]
    list_filter = ["content_type"]
    search_fields = ["original_name", "source_url", "sha256"]
    list_select_related = ["created_by"]

    # Uploads are made by the image inputs only; the admin lists them.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Upload | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Upload | None = None) -> bool:
        return False
