from django.urls import path

from playground.images import views

app_name = "images"
urlpatterns = [
    path("", views.page, name="page"),
    path("new/", views.create, name="create"),
    path("gallery/", views.gallery, name="gallery"),
    path("generations/<uuid:generation_id>/", views.generation, name="generation"),
    path("generations/<uuid:generation_id>/rerun/", views.rerun, name="rerun"),
    path("<uuid:image_id>/", views.image, name="image"),
    path("<uuid:image_id>/use/", views.use, name="use"),
    path("<uuid:image_id>/image", views.media, {"kind": "file"}, name="file"),
    path("<uuid:image_id>/thumbnail.jpg", views.media, {"kind": "thumbnail"}, name="thumbnail"),
]
