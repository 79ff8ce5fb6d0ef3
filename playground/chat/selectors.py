from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache

from playground.accounts.models import User
from playground.chat.models import ChatExchange, Conversation
from playground.gateway.client import GatewayClient
from playground.gateway.errors import GatewayError
from playground.teamkey.selectors import team_key_source

MODEL_LIST_CACHE_SECONDS = 300


@dataclass(frozen=True)
class ModelChoices:
    ids: list[str]
    error: str  # why the list is empty, in words; "" when it loaded


def model_choices() -> ModelChoices:
    """The gateway's model list for the picker; cached, since every page load wants it."""
    ids: list[str] | None = cache.get("chat:model-ids")
    if ids is not None:
        return ModelChoices(ids=ids, error="")
    try:
        ids = sorted(model.id for model in GatewayClient(key=team_key_source()).list_models())
    except GatewayError as error:
        return ModelChoices(ids=[], error=error.message)
    cache.set("chat:model-ids", ids, MODEL_LIST_CACHE_SECONDS)
    return ModelChoices(ids=ids, error="")


def conversation_get(*, user: User, conversation_id: int) -> Conversation | None:
    return Conversation.objects.filter(user=user, id=conversation_id).first()


def conversation_exchanges(*, conversation: Conversation | None) -> list[ChatExchange]:
    if conversation is None:
        return []
    return list(conversation.exchanges.all())


def conversation_list(*, user: User, limit: int = 20) -> list[Conversation]:
    return list(Conversation.objects.filter(user=user)[:limit])
