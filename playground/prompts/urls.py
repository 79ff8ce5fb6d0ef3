from django.urls import path

from playground.prompts import views

app_name = "prompts"
urlpatterns = [
    path("", views.library, name="library"),
    path("picker/", views.picker, name="picker"),
    path("new/", views.create, name="create"),
    path("<int:prompt_id>/", views.detail, name="detail"),
    path("<int:prompt_id>/fill/", views.fill, name="fill"),
    path("<int:prompt_id>/edit/", views.edit, name="edit"),
    path("<int:prompt_id>/delete/", views.delete, name="delete"),
]
