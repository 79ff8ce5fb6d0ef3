from django.contrib import admin

from playground.readonly_admin import ReadOnlyAdmin
from playground.uploads.models import Upload


@admin.register(Upload)
class UploadAdmin(ReadOnlyAdmin[Upload]):
    """Uploads are made by the image inputs only; the admin lists them."""

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
