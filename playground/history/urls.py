from django.urls import path

from playground.history import views

app_name = "history"
urlpatterns = [
    path("", views.page, name="page"),
    path("status/", views.status, name="status"),
    path("export.csv", views.export, {"fmt": "csv"}, name="export_csv"),
    path("export.json", views.export, {"fmt": "json"}, name="export_json"),
    path("<int:item_id>/", views.detail, name="detail"),
]
