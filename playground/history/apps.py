from django.apps import AppConfig


class HistoryConfig(AppConfig):
    name = "playground.history"
    default_auto_field = "django.db.models.BigAutoField"
