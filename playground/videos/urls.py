from django.urls import path

from playground.videos import views

app_name = "videos"
urlpatterns = [
    path("", views.page, name="page"),
    path("jobs/", views.jobs, name="jobs"),
    path("new/<str:action>/", views.create, name="create"),
    path("<uuid:job_id>/", views.job, name="job"),
    path("<uuid:job_id>/cancel/", views.cancel, name="cancel"),
    path("<uuid:job_id>/rerun/", views.rerun, name="rerun"),
    path("<uuid:job_id>/video.mp4", views.media, {"kind": "video"}, name="video"),
    path("<uuid:job_id>/poster.jpg", views.media, {"kind": "poster"}, name="poster"),
    path("callback/<str:token>/", views.callback, name="callback"),
]
