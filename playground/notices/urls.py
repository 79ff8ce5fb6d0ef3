from django.urls import path

from playground.notices import views

app_name = "notices"
urlpatterns = [
    path("", views.notice_list, name="list"),
    path("badge/", views.badge, name="badge"),
    path("settings/", views.settings_page, name="settings"),
    path("<int:notice_id>/", views.notice_open, name="open"),
    path("<int:notice_id>/dismiss/", views.dismiss, name="dismiss"),
]
