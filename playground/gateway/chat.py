"""Chat completions and the model list: building the request, reading the answer."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_noop

from playground.gateway.errors import GatewayOutcomeUnknownError, GatewayProtocolError
from playground.gateway.transport import (
    JSON,
    error_from_body,
    json_list,
    parse_json,
    protocol_error,
    unconfirmed_because,
)

# What a chat POST's error says when nothing confirmed it.
UNCONFIRMED = gettext_noop(
    "The gateway did not confirm the chat answer: it may have been produced (and charged) "
    "upstream. Sending it again may run it twice."
)


@dataclass(frozen=True)
class Model:
    id: str
    owned_by: str


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


@dataclass(frozen=True)
class ChatMessage:
    role: str  # system | user | assistant
    content: str


@dataclass(frozen=True)
class ChatCompletion:
    id: str
    model: str
    content: str
    finish_reason: str | None
    usage: Usage | None


@dataclass(frozen=True)
class ChatChunk:
    """One piece of a streamed answer; the last one carries usage and no content."""

    content: str
    finish_reason: str | None
    usage: Usage | None


def models_from(body: JSON) -> list[Model]:
    return [
        Model(id=str(item["id"]), owned_by=str(item.get("owned_by") or ""))
        for item in json_list(body, "data")
        if isinstance(item, dict) and item.get("id")
    ]


def chat_payload(
    *,
    model: str,
    messages: list[ChatMessage],
    temperature: float | None = None,
    max_tokens: int | None = None,
    top_p: float | None = None,
    stream: bool = False,
) -> JSON:
    payload: JSON = {
        "model": model,
        "messages": [{"role": m.role, "content": m.content} for m in messages],
    }
    optional = {"temperature": temperature, "max_tokens": max_tokens, "top_p": top_p}
    payload.update({name: value for name, value in optional.items() if value is not None})
    if stream:
        payload |= {"stream": True, "stream_options": {"include_usage": True}}
    return payload


def completion_from(body: JSON, *, model: str) -> ChatCompletion:
    choices = json_list(body, "choices")
    if not choices or not isinstance(choices[0], dict):
        raise protocol_error(gettext_noop("The gateway's chat answer had no choices."))
    message = choices[0].get("message") or {}
    return ChatCompletion(
        id=str(body.get("id") or ""),
        model=str(body.get("model") or model),
        content=str(message.get("content") or ""),
        finish_reason=choices[0].get("finish_reason"),
        usage=usage_from(body.get("usage")),
    )


def chunks_from(lines: Iterable[str], *, status: int = 200) -> Iterator[ChatChunk]:
    """Server-sent events (`data: <json>` lines, ending with `data: [DONE]`) onto chunks."""
    for line in lines:
        if not line or not line.startswith("data:"):
            continue
        data = line.removeprefix("data:").strip()
        if data == "[DONE]":
            return
        try:
            chunk = parse_json(data, status)
        except GatewayProtocolError:
            raise GatewayOutcomeUnknownError(
                unconfirmed_because(
                    UNCONFIRMED, gettext_noop("A piece of the answer could not be read.")
                )
            ) from None
        if "error" in chunk:
            raise error_from_body(chunk, status, stream=True)
        yield chunk_from(chunk)
    raise GatewayOutcomeUnknownError(
        unconfirmed_because(UNCONFIRMED, gettext_noop("The answer stopped before it was complete."))
    )


def chunk_from(chunk: JSON) -> ChatChunk:
    choices = chunk.get("choices") or []
    first = choices[0] if choices and isinstance(choices[0], dict) else {}
    delta = first.get("delta") or {}
    return ChatChunk(
        content=str(delta.get("content") or ""),
        finish_reason=first.get("finish_reason"),
        usage=usage_from(chunk.get("usage")),
    )


def usage_from(value: Any) -> Usage | None:
    if not isinstance(value, dict):
        return None
    return Usage(
        prompt_tokens=int(value.get("prompt_tokens") or 0),
        completion_tokens=int(value.get("completion_tokens") or 0),
        total_tokens=int(value.get("total_tokens") or 0),
    )
