"""The one module that knows the Starrise gateway's HTTP.

Auth, timeouts, retries, error mapping and response normalisation live here; everything else
in the playground sees only the dataclasses and exceptions below. Nothing outside this module
parses gateway JSON.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol


class KeySource(Protocol):
    """Something that yields the team key's plaintext only when asked, inside a call."""

    def reveal(self) -> str: ...


# -- Errors ------------------------------------------------------------------------------------


class GatewayError(Exception):
    """An upstream failure, with a sentence a user can read. Never carries the key."""

    retryable = False

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


class NoTeamKeyError(GatewayError):
    """No team key is set."""


class GatewayAuthError(GatewayError):
    """401, or Kling 1000-1004: the key is missing, wrong or revoked."""


class GatewayForbiddenError(GatewayError):
    """403, or Kling 1103: the key may not use this model or route."""


class GatewayBadRequestError(GatewayError):
    """400: bad parameters, or Kling 1200-1201."""


class GatewayContentPolicyError(GatewayBadRequestError):
    """Kling 1300-1301, or an upstream safety reject."""


class GatewayNotFoundError(GatewayError):
    """404: an unknown route or model (Kling 1202-1203)."""


class TaskNotFoundError(GatewayError):
    """The gateway does not know the task id (task_not_exist)."""


class GatewayBillingError(GatewayError):
    """Kling 1100-1102: account problem, arrears or no balance left. Not worth retrying."""


class GatewayRateLimitError(GatewayError):
    """429, or Kling 1302-1303, still failing after the retries."""

    retryable = True

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None,
                 retry_after: float | None = None):
        super().__init__(message, status=status, code=code)
        self.retry_after = retry_after


class GatewayUnavailableError(GatewayError):
    """500, 501, 503, 504 or Kling 5000-5002."""

    retryable = True


class GatewayTimeoutError(GatewayError):
    """The gateway did not answer within the read timeout."""

    retryable = True


class GatewayConnectionError(GatewayError):
    """The connection failed or was dropped."""

    retryable = True


class GatewayProtocolError(GatewayError):
    """The gateway answered with malformed JSON or a shape this client does not know."""

    retryable = True


# -- Normalised responses ---------------------------------------------------------------------


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


@dataclass(frozen=True)
class GeneratedImage:
    url: str | None
    b64_json: str | None
    size: str | None
    error: str | None  # a sentence, when this one image failed


@dataclass(frozen=True)
class ImageGeneration:
    model: str
    created: int
    images: list[GeneratedImage]
    generated_images: int
    total_tokens: int


class TaskState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"

    @property
    def is_final(self) -> bool:
        return self in (TaskState.SUCCEEDED, TaskState.FAILED)


@dataclass(frozen=True)
class VideoTask:
    """A video task as the gateway reports it, at submission or on a poll."""

    task_id: str
    state: TaskState
    progress: int  # 0..100
    video_url: str | None = None
    fail_reason: str | None = None
    upstream_status: str = ""  # the status word the gateway used, for the record


class KlingAction(enum.StrEnum):
    TEXT2VIDEO = "text2video"
    IMAGE2VIDEO = "image2video"
    MULTI_IMAGE2VIDEO = "multi-image2video"


# -- The client -------------------------------------------------------------------------------


class GatewayClient:
    def __init__(self, *, key: KeySource | None, base_url: str | None = None) -> None:
        raise NotImplementedError

    def list_models(self) -> list[Model]:
        raise NotImplementedError

    def chat(self, *, model: str, messages: list[ChatMessage], temperature: float | None = None,
             max_tokens: int | None = None, top_p: float | None = None) -> ChatCompletion:
        raise NotImplementedError

    def chat_stream(self, *, model: str, messages: list[ChatMessage],
                    temperature: float | None = None, max_tokens: int | None = None,
                    top_p: float | None = None) -> Iterator[ChatChunk]:
        raise NotImplementedError

    def generate_images(self, *, body: dict[str, Any]) -> ImageGeneration:
        raise NotImplementedError

    def seedance_create(self, *, body: dict[str, Any]) -> VideoTask:
        raise NotImplementedError

    def seedance_get(self, *, task_id: str) -> VideoTask:
        raise NotImplementedError

    def kling_create(self, *, action: KlingAction, body: dict[str, Any]) -> VideoTask:
        raise NotImplementedError

    def kling_get(self, *, action: KlingAction, task_id: str) -> VideoTask:
        raise NotImplementedError
