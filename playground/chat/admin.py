from django.contrib import admin

from playground.chat.models import ChatExchange, Conversation
from playground.readonly_admin import ReadOnlyAdmin


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyAdmin[Conversation]):
    list_display = ["title", "user", "model", "updated_at"]
    search_fields = ["title", "user__username", "model"]
    list_select_related = ["user"]


@admin.register(ChatExchange)
class ChatExchangeAdmin(ReadOnlyAdmin[ChatExchange]):
    list_display = ["created_at", "user", "model", "status", "total_tokens", "error"]
    list_filter = ["model", "status"]
    search_fields = ["message", "reply", "user__username"]
    list_select_related = ["user"]
