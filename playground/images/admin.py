from django.contrib import admin

from playground.images.models import GeneratedImage, Generation
from playground.readonly_admin import ReadOnlyAdmin


@admin.register(Generation)
class GenerationAdmin(ReadOnlyAdmin[Generation]):
    list_display = ["created_at", "user", "model", "state", "generated_images"]
    list_filter = ["state", "model"]
    search_fields = ["prompt", "user__username"]
    list_select_related = ["user"]


@admin.register(GeneratedImage)
class GeneratedImageAdmin(ReadOnlyAdmin[GeneratedImage]):
    list_display = ["created_at", "generation", "index", "size", "error"]
    search_fields = ["generation__prompt"]
