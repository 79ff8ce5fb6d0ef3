"""POST /v1/chat/completions: a deterministic echo, whole or streamed as the OpenAI SDK expects."""

from __future__ import annotations

import re
import secrets
import time
from typing import Any

from playground.simulator.replies import ApiError, Reply, Stream, json_reply, openai_error, sse

ROLES = ("system", "user", "assistant")
CHAT_MODELS = (
    "claude-3-5-sonnet-20241022",
    "claude-3-5-haiku-20241022",
    "gpt-4o",
    "gpt-4o-mini",
    "deepseek-chat",
    "deepseek-reasoner",
)


def chat_completion(body: Any, *, fault: str | None, pause: float = 0.015) -> Reply | Stream:
    request = _validate(body)
    model = request["model"]
    messages = request["messages"]
    said = next((m["text"] for m in reversed(messages) if m["role"] == "user"), "")
    words = re.findall(r"\S+\s*", f'Simulated reply from {model}: you said "{said}". ' + TAIL)
    finish = "stop"
    if request.get("max_tokens") is not None and len(words) > request["max_tokens"]:
        words, finish = words[: request["max_tokens"]], "length"
    if fault == "content-filter":
        # The provider's safety filter cut the answer after a few words.
        words, finish = words[:CONTENT_FILTER_WORDS], "content_filter"
    words[-1] = words[-1].rstrip()
    content = "".join(words)
    prompt_tokens = sum(max(1, len(m["text"].split())) for m in messages)
    usage = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": len(words),
        "total_tokens": prompt_tokens + len(words),
    }
    head = {
        "id": f"chatcmpl-{secrets.token_hex(12)}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
    }
    if not request.get("stream"):
        choice = {
            "index": 0,
            "message": {"role": "assistant", "content": content},
            "logprobs": None,
            "finish_reason": finish,
        }
        return json_reply(200, {**head, "choices": [choice], "usage": usage})
    include_usage = bool((request.get("stream_options") or {}).get("include_usage"))
    return Stream(
        _events(head, words, finish, usage if include_usage else None, fault), pause=pause
    )


CONTENT_FILTER_WORDS = 7
TAIL = "This answer comes from the local Starrise simulator, so no model was asked."


def _events(
    head: dict[str, Any],
    words: list[str],
    finish: str,
    usage: dict[str, int] | None,
    fault: str | None,
) -> list[str]:
    chunk = head | {"object": "chat.completion.chunk"}
    extra = {"usage": None} if usage else {}

    def delta(delta: dict[str, Any], finish_reason: str | None = None) -> str:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
        return sse({**chunk, "choices": [choice], **extra})

    # Two or three words per piece, so a short answer still arrives in several pieces.
    pieces = ["".join(words[i : i + 3]) for i in range(0, len(words), 3)]
    events = [delta({"role": "assistant", "content": ""})]
    if fault == "stream-error":
        events += [delta({"content": piece}) for piece in pieces[:2]]
        error = {
            "message": "The upstream provider closed the stream unexpectedly.",
            "type": "server_error",
            "code": "stream_error",
        }
        return [*events, sse({"error": error})]
    events += [delta({"content": piece}) for piece in pieces]
    events.append(delta({}, finish))
    if usage:
        events.append(sse({**chunk, "choices": [], "usage": usage}))
    return [*events, sse("[DONE]")]


def _validate(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise _invalid("The request body must be a JSON object.", None)
    model = body.get("model")
    if not isinstance(model, str) or not model.strip():
        raise _invalid("you must provide a model parameter", "model", "missing_required_parameter")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise _invalid(
            "'messages' must be a non-empty array of messages.", "messages", "invalid_value"
        )
    parsed = [_message(message, i) for i, message in enumerate(messages)]
    _number(body, "temperature", 0, 2)
    _number(body, "top_p", 0, 1)
    max_tokens = body.get("max_tokens")
    if max_tokens is not None and (
        isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1
    ):
        raise _invalid(
            f"Invalid 'max_tokens': expected an integer >= 1, got {max_tokens!r}.",
            "max_tokens",
            "invalid_value",
        )
    stream = body.get("stream", False)
    if stream is not None and not isinstance(stream, bool):
        raise _invalid("Invalid 'stream': expected a boolean.", "stream", "invalid_type")
    options = body.get("stream_options")
    if options is not None and not isinstance(options, dict):
        raise _invalid(
            "Invalid 'stream_options': expected an object.", "stream_options", "invalid_type"
        )
    return {**body, "model": model, "messages": parsed}


def _message(message: Any, index: int) -> dict[str, str]:
    param = f"messages[{index}]"
    if not isinstance(message, dict):
        raise _invalid(f"Invalid '{param}': expected an object.", param, "invalid_type")
    role = message.get("role")
    if role not in ROLES:
        raise _invalid(
            f"Invalid '{param}.role': expected one of {', '.join(ROLES)}, got {role!r}.",
            f"{param}.role",
            "invalid_value",
        )
    content = message.get("content")
    # Besides a string, accept OpenAI's list of text parts.
    if isinstance(content, list) and all(
        isinstance(part, dict) and part.get("type") == "text" and isinstance(part.get("text"), str)
        for part in content
    ):
        content = " ".join(part["text"] for part in content)
    if not isinstance(content, str):
        raise _invalid(
            f"Invalid '{param}.content': expected a string.", f"{param}.content", "invalid_type"
        )
    return {"role": role, "text": content}


def _number(body: dict[str, Any], name: str, low: float, high: float) -> None:
    value = body.get(name)
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise _invalid(
            f"Invalid '{name}': expected a number from {low:g} to {high:g}, got {value!r}.",
            name,
            "invalid_value",
        )


def _invalid(message: str, param: str | None, code: str = "invalid_value") -> ApiError:
    return ApiError(openai_error(400, message, code=code, param=param))
