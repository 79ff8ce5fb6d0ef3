from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext, gettext_noop

from playground.accounts.models import User
from playground.chat.models import RUNNING, ChatExchange, Conversation
from playground.chat.selectors import Answering, answering_get
from playground.gateway.chat import ChatMessage, Usage
from playground.gateway.client import GatewayClient
from playground.gateway.errors import GatewayError
from playground.gateway.trace import tracing
from playground.history.services import item_record
from playground.inspector.services import exchange_record
from playground.teamkey.selectors import team_key_source
from playground.usage.models import Kind
from playground.usage.services import quota_check

Status = ChatExchange.Status
INTERRUPTED = gettext_noop("The answer was interrupted on the server; what arrived is kept.")
SERVER_STOPPED = gettext_noop(
    "The answer was interrupted: the server stopped while it was being written."
)


@dataclass(frozen=True)
class ChatSettings:
    """A conversation's parameters, as the settings form cleans them."""

    model: str
    system_prompt: str
    temperature: float
    top_p: float
    max_tokens: int

    @classmethod
    def from_form(cls, data: dict[str, Any]) -> ChatSettings:
        return cls(
            model=data["model"],
            system_prompt=data["system_prompt"],
            temperature=data["temperature"],
            top_p=data["top_p"],
            max_tokens=data["max_tokens"],
        )

    def apply_to(self, conversation: Conversation) -> None:
        conversation.model = self.model
        conversation.system_prompt = self.system_prompt
        conversation.temperature = self.temperature
        conversation.top_p = self.top_p
        conversation.max_tokens = self.max_tokens


def must_own(owned: Conversation | ChatExchange, user: User) -> None:
    """A conversation, or a message in it, is changed (or answered) only by the conversation's
    owner. A message's sender is that owner: only the owner sends."""
    if owned.user_id != user.id:
        raise PermissionDenied(
            gettext("Only its owner can change this conversation; fork it instead.")
        )


def title_from(message: str) -> str:
    return Truncator(" ".join(message.split())).chars(80) or gettext("Untitled chat")


def chat_send(
    *,
    user: User,
    conversation: Conversation | None,
    chat_settings: ChatSettings,
    message: str,
) -> ChatExchange:
    """Saves the message, and the parameters on screen, before any gateway call: the exchange
    is pending until `exchange_stream` answers it. One transaction, so a crash leaves either
    nothing or the whole message."""
    quota_check(user=user, kind=Kind.CHAT_TOKENS)
    with transaction.atomic():
        if conversation is None:
            conversation = Conversation(user=user, title=title_from(message))
        else:
            must_own(conversation, user)
        chat_settings.apply_to(conversation)
        conversation.save()
        exchange = ChatExchange.objects.create(
            conversation=conversation,
            user=user,
            message=message,
            status=Status.PENDING,
            model=conversation.model,
            system_prompt=conversation.system_prompt,
            temperature=conversation.temperature,
            top_p=conversation.top_p,
            max_tokens=conversation.max_tokens,
        )
        item_record(kind="chat", source_id=conversation.id)
        return exchange


def conversation_settings_update(
    *, user: User, conversation: Conversation, chat_settings: ChatSettings
) -> Conversation:
    must_own(conversation, user)
    chat_settings.apply_to(conversation)
    conversation.save()
    return conversation


def conversation_rename(*, user: User, conversation: Conversation, title: str) -> Conversation:
    must_own(conversation, user)
    conversation.title = title.strip()[:200] or conversation.title
    conversation.save(update_fields=["title", "updated_at"])
    return conversation


def conversation_delete(*, user: User, conversation: Conversation) -> None:
    must_own(conversation, user)
    conversation.delete()


def conversation_fork(*, user: User, conversation: Conversation) -> Conversation:
    """A copy that `user` owns and can go on with: the parameters and every finished exchange."""
    copied_fields = [
        "status", "model", "system_prompt", "temperature", "top_p", "max_tokens", "message",
        "reply", "finish_reason", "prompt_tokens", "completion_tokens", "total_tokens",
        "error", "duration_ms",
    ]  # fmt: skip
    with transaction.atomic():
        fork = Conversation(
            user=user,
            title=Truncator(gettext("%(title)s (fork)") % {"title": conversation.title}).chars(200),
            forked_from=conversation,
        )
        ChatSettings(
            model=conversation.model,
            system_prompt=conversation.system_prompt,
            temperature=conversation.temperature,
            top_p=conversation.top_p,
            max_tokens=conversation.max_tokens,
        ).apply_to(fork)
        fork.save()
        finished = conversation.exchanges.exclude(status__in=RUNNING)
        ChatExchange.objects.bulk_create(
            ChatExchange(
                conversation=fork,
                user=user,
                **{name: getattr(exchange, name) for name in copied_fields},
            )
            for exchange in finished
        )
    item_record(kind="chat", source_id=fork.id)
    return fork


def exchange_regenerate(*, user: User, conversation: Conversation) -> ChatExchange | None:
    """Replaces the last answer: the last exchange is asked again, with the parameters the
    conversation has now. None when there is nothing to regenerate (or it is still running)."""
    must_own(conversation, user)
    quota_check(user=user, kind=Kind.CHAT_TOKENS)
    with transaction.atomic():
        last = conversation.exchanges.select_for_update().order_by("-created_at", "-id").first()
        if last is None or last.running:
            return None
        last.status = Status.PENDING
        last.stop_requested = False
        last.model = conversation.model
        last.system_prompt = conversation.system_prompt
        last.temperature = conversation.temperature
        last.top_p = conversation.top_p
        last.max_tokens = conversation.max_tokens
        last.reply = last.finish_reason = last.error = ""
        last.prompt_tokens = last.completion_tokens = last.total_tokens = None
        last.duration_ms = 0
        last.save()
        conversation.save(update_fields=["updated_at"])
        item_record(kind="chat", source_id=conversation.id)
    return last


def exchange_stop(*, user: User, exchange: ChatExchange) -> None:
    """Stop: a pending answer never starts; a streaming one ends at its next look at the flag,
    whichever web process runs it, and keeps what arrived."""
    must_own(exchange.conversation, user)
    ChatExchange.objects.filter(id=exchange.id, status=Status.PENDING).update(
        status=Status.STOPPED, stop_requested=True
    )
    ChatExchange.objects.filter(id=exchange.id, status=Status.STREAMING).update(stop_requested=True)
    item_record(kind="chat", source_id=exchange.conversation_id)


def context_messages(answering: Answering) -> list[ChatMessage]:
    """What the gateway is sent: the system prompt, the answered exchanges before this one,
    then this message."""
    exchange = answering.exchange
    messages = []
    if exchange.system_prompt:
        messages.append(ChatMessage(role="system", content=exchange.system_prompt))
    for before in answering.earlier:
        if before.in_context:
            messages.append(ChatMessage(role="user", content=before.message))
            messages.append(ChatMessage(role="assistant", content=before.reply))
    messages.append(ChatMessage(role="user", content=exchange.message))
    return messages


def exchange_stream(*, answering: Answering) -> Iterator[str]:
    """Answers a pending exchange from the gateway's stream, yielding each piece of text as it
    arrives, and saves the outcome at the end: done (with the finish reason and usage),
    stopped (what arrived is kept), or failed (with the error in words, and what arrived).

    `answering` is the exchange with the ones before it (`answering_get`, one query).
    Yields nothing when the exchange is not pending: someone else claimed it. Whoever iterates
    this runs the answer; it may be handed to another thread half-way (the saving happens in
    whichever thread finishes it)."""
    exchange = answering.exchange
    exchange_id = exchange.id
    # The row as the caller read it: what is sent (model, message, settings) is fixed when the
    # message is saved, and the claim below checks that it is still pending. Not reading it
    # again saves a round trip before the first token.
    claimed = ChatExchange.objects.filter(id=exchange_id, status=Status.PENDING).update(
        status=Status.STREAMING
    )
    if not claimed:
        return
    recorded = False  # "answering" goes to the history after the first token, not before it
    started = time.monotonic()
    poll = settings.CHAT_STOP_POLL_SECONDS
    next_look = started + poll
    parts: list[str] = []
    finish_reason = ""
    usage: Usage | None = None
    outcome: str | None = None
    error = ""
    with tracing() as trace:  # bound to the stream now; it records in whichever thread reads
        chunks = GatewayClient(key=team_key_source()).chat_stream(
            model=exchange.model,
            messages=context_messages(answering),
            temperature=exchange.temperature,
            top_p=exchange.top_p,
            max_tokens=exchange.max_tokens,
        )
    try:
        for chunk in chunks:
            usage = chunk.usage or usage
            finish_reason = chunk.finish_reason or finish_reason
            if chunk.content:
                parts.append(chunk.content)
                yield chunk.content
                if not recorded:
                    item_record(kind="chat", source_id=exchange.conversation_id)
                    recorded = True
            if time.monotonic() >= next_look:
                next_look = time.monotonic() + poll
                if ChatExchange.objects.filter(id=exchange_id, stop_requested=True).exists():
                    outcome = Status.STOPPED
                    break
        else:
            outcome = Status.DONE
    except GatewayError as failure:
        outcome, error = Status.FAILED, failure.message
    finally:
        # Closing the generator closes the upstream response: Stop ends the gateway's stream.
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
        if outcome is None:
            outcome, error = Status.FAILED, INTERRUPTED
        # Before the answer is saved: whoever sees it ended finds its record too.
        exchange_record(kind="chat", source_id=exchange_id, trace=trace)
        ChatExchange.objects.filter(id=exchange_id).update(
            status=outcome,
            reply="".join(parts),
            finish_reason=finish_reason,
            error=error,
            prompt_tokens=usage.prompt_tokens if usage else None,
            completion_tokens=usage.completion_tokens if usage else None,
            total_tokens=usage.total_tokens if usage else None,
            duration_ms=int((time.monotonic() - started) * 1000),
        )
        Conversation.objects.filter(id=exchange.conversation_id).update(updated_at=timezone.now())
        item_record(kind="chat", source_id=exchange.conversation_id)


def exchange_run(*, exchange_id: int) -> ChatExchange:
    """Answers a pending exchange to its end, without streaming it anywhere (the no-JS path)."""
    answering = answering_get(exchange_id=exchange_id)
    if answering is None:
        raise ChatExchange.DoesNotExist(f"No chat exchange {exchange_id}.")
    for _ in exchange_stream(answering=answering):
        pass
    return ChatExchange.objects.get(id=exchange_id)


def exchange_sweep() -> tuple[list[int], int]:
    """Beat's safety net, so that no answer stays unfinished: a message whose answer never
    started (the browser left before opening its stream) is answered by a worker, and one
    still "answering" long after any stream would have ended (the web process died under it)
    is marked failed in words. Returns the ids to answer and how many were failed."""
    now = timezone.now()
    unstarted = list(
        ChatExchange.objects.filter(
            status=Status.PENDING,
            created_at__lt=now - timedelta(seconds=settings.CHAT_UNSTARTED_SECONDS),
        ).values_list("id", flat=True)[:100]
    )
    stale = ChatExchange.objects.filter(
        status=Status.STREAMING,
        created_at__lt=now - timedelta(seconds=settings.CHAT_STREAM_DEADLINE_SECONDS),
    )
    conversations = set(stale.values_list("conversation_id", flat=True))
    failed = stale.update(status=Status.FAILED, error=SERVER_STOPPED)
    for conversation_id in conversations:
        item_record(kind="chat", source_id=conversation_id)
    return unstarted, failed
