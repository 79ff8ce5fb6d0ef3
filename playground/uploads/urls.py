from django.urls import path

from playground.uploads import views

app_name = "uploads"
urlpatterns = [
    path("<uuid:upload_id>/", views.file, name="file"),
]
