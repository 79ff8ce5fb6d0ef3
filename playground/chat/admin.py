from django.contrib import admin

from playground.chat.models import ChatExchange, Conversation


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin[Conversation]):
    list_display = ["title", "user", "created_at"]


@admin.register(ChatExchange)
class ChatExchangeAdmin(admin.ModelAdmin[ChatExchange]):
    list_display = ["created_at", "user", "model", "total_tokens", "error"]
    list_filter = ["model"]
