from django.contrib import admin

from playground.videos.models import VideoJob


@admin.register(VideoJob)
class VideoJobAdmin(admin.ModelAdmin[VideoJob]):
    """Read-only: jobs change only through the worker's steps."""

    list_display = ["id", "action", "model", "user", "state", "created_at", "gateway_calls"]
    list_filter = ["state", "action"]
    search_fields = ["prompt", "model", "upstream_task_id"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
