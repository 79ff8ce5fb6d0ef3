from django.urls import path

from playground.chat import views

app_name = "chat"
urlpatterns = [
    path("", views.page, name="page"),
    path("chat/models/", views.models, name="models"),
    path("chat/send/", views.send, name="send"),
    path("chat/<int:conversation_id>/", views.conversation, name="conversation"),
    path("chat/<int:conversation_id>/send/", views.send, name="reply"),
    path("chat/<int:conversation_id>/settings/", views.save_settings, name="settings"),
    path("chat/<int:conversation_id>/rename/", views.rename, name="rename"),
    path("chat/<int:conversation_id>/delete/", views.delete, name="delete"),
    path("chat/<int:conversation_id>/fork/", views.fork, name="fork"),
    path("chat/<int:conversation_id>/regenerate/", views.regenerate, name="regenerate"),
    path("chat/messages/<int:exchange_id>/", views.exchange, name="exchange"),
    path("chat/messages/<int:exchange_id>/stream/", views.stream, name="stream"),
    path("chat/messages/<int:exchange_id>/stop/", views.stop, name="stop"),
]
