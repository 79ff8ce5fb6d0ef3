from django.urls import path

from playground.chat import views

app_name = "chat"
urlpatterns = [
    path("", views.page, name="page"),
    path("chat/<int:conversation_id>/", views.conversation, name="conversation"),
    path("chat/send/", views.send, name="send"),
]
