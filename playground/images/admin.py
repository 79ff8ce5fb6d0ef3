from django.contrib import admin

from playground.images.models import GeneratedImage, Generation


@admin.register(Generation)
class GenerationAdmin(admin.ModelAdmin[Generation]):
    """Read-only: generations change only through the services."""

    list_display = ["created_at", "user", "model", "state", "generated_images"]
    list_filter = ["state", "model"]
    search_fields = ["prompt"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(GeneratedImage)
class GeneratedImageAdmin(admin.ModelAdmin[GeneratedImage]):
    list_display = ["created_at", "generation", "index", "size", "error"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
