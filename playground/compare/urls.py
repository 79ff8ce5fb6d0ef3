from django.urls import path

from playground.compare import views

app_name = "compare"
urlpatterns = [
    path("", views.new, name="new"),
    path("new/", views.create, name="create"),
    path("<uuid:comparison_id>/", views.detail, name="detail"),
    path("<uuid:comparison_id>/rerun/", views.rerun, name="rerun"),
    path("columns/<int:column_id>/", views.column, name="column"),
    path("columns/<int:column_id>/run/", views.run, name="run"),
    path("columns/<int:column_id>/stream/", views.stream, name="stream"),
]
