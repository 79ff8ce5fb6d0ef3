from django.contrib import admin

from playground.chat.models import ChatExchange, Conversation


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin[Conversation]):
    list_display = ["title", "user", "model", "updated_at"]


@admin.register(ChatExchange)
class ChatExchangeAdmin(admin.ModelAdmin[ChatExchange]):
    list_display = ["created_at", "user", "model", "status", "total_tokens", "error"]
    list_filter = ["model", "status"]
