from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("playground.chat.urls")),
    path("accounts/", include("playground.accounts.urls")),
    path("team-key/", include("playground.teamkey.urls")),
    path("uploads/", include("playground.uploads.urls")),
    path("videos/", include("playground.videos.urls")),
    path("admin/", admin.site.urls),
]
