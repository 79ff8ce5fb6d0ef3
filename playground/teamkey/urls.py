from django.urls import path

from playground.teamkey import views

app_name = "teamkey"
urlpatterns = [
    path("", views.page, name="page"),
    path("set/", views.set_key, name="set"),
    path("test/", views.test_key, name="test"),
    path("revoke/", views.revoke_key, name="revoke"),
]
