from django.urls import path

from playground.usage import views

app_name = "usage"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("limits/", views.quotas, name="quotas"),
    path("limits/<int:user_id>/", views.quota_edit, name="quota_edit"),
]
