from django.apps import AppConfig


class TeamkeyConfig(AppConfig):
    name = "playground.teamkey"
