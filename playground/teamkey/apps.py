from django.apps import AppConfig
from django.core import checks


class TeamkeyConfig(AppConfig):
    name = "playground.teamkey"

    def ready(self) -> None:
        from playground.teamkey.checks import encryption_keys_check

        checks.register(encryption_keys_check)
