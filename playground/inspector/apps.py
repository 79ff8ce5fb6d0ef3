from django.apps import AppConfig


class InspectorConfig(AppConfig):
    name = "playground.inspector"
    default_auto_field = "django.db.models.BigAutoField"
