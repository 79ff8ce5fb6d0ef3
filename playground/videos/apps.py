from django.apps import AppConfig


class VideosConfig(AppConfig):
    name = "playground.videos"
