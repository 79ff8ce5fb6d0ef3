from django.contrib import admin
from django.urls import include, path

from playground.health import healthz

urlpatterns = [
    path("", include("playground.chat.urls")),
    path("accounts/", include("playground.accounts.urls")),
    path("team-key/", include("playground.teamkey.urls")),
    path("images/", include("playground.images.urls")),
    path("uploads/", include("playground.uploads.urls")),
    path("videos/", include("playground.videos.urls")),
    path("history/", include("playground.history.urls")),
    path("usage/", include("playground.usage.urls")),
    path("prompts/", include("playground.prompts.urls")),
    path("compare/", include("playground.compare.urls")),
    path("notices/", include("playground.notices.urls")),
    path("inspector/", include("playground.inspector.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]

# 403 and 404 with a sentence on why; 400, 500 and CSRF failures use Django's views and our
# templates (templates/400.html, 500.html, 403_csrf.html).
handler403 = "playground.errors.permission_denied"
handler404 = "playground.errors.page_not_found"
