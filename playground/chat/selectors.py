from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet, Sum

from playground.accounts.models import User
from playground.chat.catalog import is_chat_model
from playground.chat.models import RUNNING, ChatExchange, Conversation
from playground.gateway.client import GatewayClient
from playground.gateway.errors import GatewayError
from playground.teamkey.selectors import team_key_source

MODELS_CACHE_KEY = "chat:models:v2"


@dataclass(frozen=True)
class ModelChoices:
    ids: list[str]  # chat models only
    error: str  # why the list is empty, in words; "" when it loaded


def model_choices() -> ModelChoices:
    """The gateway's chat models, for the picker. Asked for once, briefly and without retries;
    the answer is cached, a failure too (for less time), so a hanging gateway costs one short
    wait every few seconds, never one per page."""
    cached: dict[str, Any] | None = cache.get(MODELS_CACHE_KEY)
    if cached is not None:
        return ModelChoices(ids=list(cached["ids"]), error=str(cached["error"]))
    client = GatewayClient(key=team_key_source())
    try:
        models = client.list_models(timeout=settings.CHAT_MODELS_TIMEOUT, retries=0)
    except GatewayError as error:
        choices = ModelChoices(ids=[], error=error.message)
        seconds = settings.CHAT_MODELS_FAILURE_CACHE_SECONDS
    else:
        choices = ModelChoices(ids=sorted(m.id for m in models if is_chat_model(m.id)), error="")
        seconds = settings.CHAT_MODELS_CACHE_SECONDS
    cache.set(MODELS_CACHE_KEY, {"ids": choices.ids, "error": choices.error}, seconds)
    return choices


def conversation_get(*, conversation_id: int) -> Conversation | None:
    """Any conversation: the whole team may read them all."""
    return Conversation.objects.select_related("user").filter(id=conversation_id).first()


def conversation_list(*, limit: int = 50) -> QuerySet[Conversation]:
    """The team's conversations, most recently active first."""
    return Conversation.objects.select_related("user")[:limit]


def conversation_exchanges(*, conversation: Conversation | None) -> list[ChatExchange]:
    if conversation is None:
        return []
    return list(conversation.exchanges.all())


@dataclass(frozen=True)
class Totals:
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


def conversation_totals(*, conversation: Conversation | None) -> Totals:
    if conversation is None:
        return Totals(0, 0, 0)
    sums = conversation.exchanges.aggregate(
        prompt=Sum("prompt_tokens"), completion=Sum("completion_tokens"), total=Sum("total_tokens")
    )
    return Totals(sums["prompt"] or 0, sums["completion"] or 0, sums["total"] or 0)


def exchange_get(*, exchange_id: int) -> ChatExchange | None:
    return (
        ChatExchange.objects.select_related("conversation", "conversation__user")
        .filter(id=exchange_id)
        .first()
    )


@dataclass(frozen=True)
class Answering:
    """An exchange and the ones before it in its conversation, oldest first: what answering
    it sends."""

    exchange: ChatExchange
    earlier: list[ChatExchange]


def answering_get(*, exchange_id: int) -> Answering | None:
    """The exchange and the exchanges before it, in one query: the first token of an answer
    waits on every round trip before it."""
    rows = list(
        ChatExchange.objects.filter(conversation__exchanges__id=exchange_id, id__lte=exchange_id)
    )
    exchange = next((row for row in rows if row.id == exchange_id), None)
    if exchange is None:
        return None
    return Answering(exchange, [row for row in rows if row is not exchange])


def exchange_running(*, exchange_id: int) -> bool:
    """Whether the answer is still pending or streaming (run by some request or thread)."""
    return ChatExchange.objects.filter(id=exchange_id, status__in=RUNNING).exists()


def new_chat_settings(*, user: User) -> dict[str, Any]:
    """A new chat starts with the parameters of the user's latest conversation, else defaults."""
    latest = Conversation.objects.filter(user=user).first()
    if latest is None:
        return {
            "model": settings.CHAT_DEFAULT_MODEL,
            "system_prompt": "",
            "temperature": 0.7,
            "top_p": 1.0,
            "max_tokens": 1024,
        }
    return conversation_settings(conversation=latest)


def conversation_settings(*, conversation: Conversation) -> dict[str, Any]:
    return {
        "model": conversation.model,
        "system_prompt": conversation.system_prompt,
        "temperature": conversation.temperature,
        "top_p": conversation.top_p,
        "max_tokens": conversation.max_tokens,
    }
