from django.urls import path

from playground.inspector import views

app_name = "inspector"
urlpatterns = [
    path("<int:exchange_id>/", views.detail, name="detail"),
    path("<str:kind>/<str:source_id>/", views.source, name="source"),
]
