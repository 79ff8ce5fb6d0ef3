from django.contrib import admin

from playground.readonly_admin import ReadOnlyAdmin
from playground.videos.models import VideoJob


@admin.register(VideoJob)
class VideoJobAdmin(ReadOnlyAdmin[VideoJob]):
    list_display = ["id", "action", "model", "user", "state", "created_at", "gateway_calls"]
    list_filter = ["state", "action"]
    search_fields = ["prompt", "model", "upstream_task_id", "user__username"]
    list_select_related = ["user"]
