"""What a route hands back to the server: a whole response, or a stream of SSE events.

Also the four error envelopes of the gateway page: OpenAI-style, the task envelope, Ark's
passed-through error and Kling's own.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Reply:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Stream:
    """A `text/event-stream` answer; the server writes the events with a short pause between."""

    events: list[str]
    pause: float = 0.015


class ApiError(Exception):
    """Raised by a route to answer with an error reply (bad parameters, mostly)."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.status)
        self.reply = reply


def json_reply(status: int, data: Any, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, json.dumps(data).encode(), headers=dict(headers or {}))


def openai_error(
    status: int,
    message: str,
    *,
    kind: str = "invalid_request_error",
    code: str = "",
    param: str | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    error: dict[str, Any] = {"message": message, "type": kind, "code": code}
    if param is not None:
        error["param"] = param
    return json_reply(status, {"error": error}, headers)


def task_error(status: int, code: str, message: str) -> Reply:
    """new-api's TaskError, used on the video task routes."""
    return json_reply(status, {"code": code, "message": message, "data": None})


def ark_error(message: str, *, code: str = "InvalidParameter", status: int = 400) -> Reply:
    """An error from ByteDance Ark, passed through by the gateway."""
    return json_reply(
        status, {"error": {"code": code, "message": message, "type": "upstream_error"}}
    )


def kling_error(
    status: int, code: int, message: str, headers: dict[str, str] | None = None
) -> Reply:
    return json_reply(
        status, {"code": code, "message": message, "request_id": request_id()}, headers
    )


def request_id() -> str:
    return str(uuid.uuid4())


def sse(data: Any) -> str:
    return f"data: {data if isinstance(data, str) else json.dumps(data)}\n\n"
