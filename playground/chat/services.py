from __future__ import annotations

import time

from playground.accounts.models import User
from playground.chat.models import ChatExchange, Conversation
from playground.gateway.chat import ChatMessage
from playground.gateway.client import GatewayClient
from playground.gateway.errors import GatewayError
from playground.teamkey.selectors import team_key_source


def chat_send(
    *,
    user: User,
    conversation: Conversation | None,
    model: str,
    system_prompt: str,
    message: str,
    temperature: float,
    max_tokens: int,
) -> ChatExchange:
    """Sends a message with the conversation so far and records the answer or the error."""
    if conversation is None:
        conversation = Conversation.objects.create(user=user, title=message.strip()[:80])
    messages = [ChatMessage(role="system", content=system_prompt)] if system_prompt else []
    for earlier in conversation.exchanges.filter(error=""):
        messages.append(ChatMessage(role="user", content=earlier.message))
        messages.append(ChatMessage(role="assistant", content=earlier.reply))
    messages.append(ChatMessage(role="user", content=message))

    exchange = ChatExchange(
        conversation=conversation,
        user=user,
        model=model,
        system_prompt=system_prompt,
        temperature=temperature,
        max_tokens=max_tokens,
        message=message,
    )
    started = time.monotonic()
    try:
        answer = GatewayClient(key=team_key_source()).chat(
            model=model, messages=messages, temperature=temperature, max_tokens=max_tokens
        )
    except GatewayError as error:
        exchange.error = error.message
    else:
        exchange.reply = answer.content
        exchange.finish_reason = answer.finish_reason or ""
        if answer.usage:
            exchange.prompt_tokens = answer.usage.prompt_tokens
            exchange.completion_tokens = answer.usage.completion_tokens
            exchange.total_tokens = answer.usage.total_tokens
    exchange.duration_ms = int((time.monotonic() - started) * 1000)
    exchange.save()
    return exchange
