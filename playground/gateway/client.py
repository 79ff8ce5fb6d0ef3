"""The one module that knows the Starrise gateway's HTTP.

Auth, timeouts, retries, error mapping and response normalisation live here; everything else
in the playground sees only the dataclasses and exceptions below. Nothing outside this module
parses gateway JSON.
"""

from __future__ import annotations

import email.utils
import enum
import json
import logging
import random
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import requests
from django.conf import settings

logger = logging.getLogger(__name__)


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

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        retry_after: float | None = None,
    ):
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

JSON = dict[str, Any]

# Gateway, Ark and Kling status words, lower-cased, onto one life cycle.
STATES: dict[str, TaskState] = {
    "": TaskState.QUEUED,
    "not_start": TaskState.QUEUED,
    "submitted": TaskState.QUEUED,
    "queued": TaskState.QUEUED,
    "unknown": TaskState.QUEUED,
    "processing": TaskState.RUNNING,
    "in_progress": TaskState.RUNNING,
    "running": TaskState.RUNNING,
    "success": TaskState.SUCCEEDED,
    "succeeded": TaskState.SUCCEEDED,
    "succeed": TaskState.SUCCEEDED,
    "failure": TaskState.FAILED,
    "failed": TaskState.FAILED,
    "cancelled": TaskState.FAILED,
    "expired": TaskState.FAILED,
}

# Kling's business codes, from its API reference: (exception, what a user is told).
KLING_CODES: list[tuple[range, type[GatewayError], str]] = [
    (
        range(1000, 1005),
        GatewayAuthError,
        "the gateway rejected the team key: ask an admin to replace it",
    ),
    (
        range(1100, 1103),
        GatewayBillingError,
        "the gateway account cannot pay for this "
        "(no balance, arrears or a locked account): ask an admin to top it up",
    ),
    (range(1103, 1104), GatewayForbiddenError, "the team key may not use this model or feature"),
    (range(1200, 1202), GatewayBadRequestError, "the request's parameters were rejected"),
    (range(1202, 1204), GatewayNotFoundError, "the model or method does not exist"),
    (
        range(1300, 1302),
        GatewayContentPolicyError,
        "the prompt or image was blocked by the provider's content safety check",
    ),
    (range(1302, 1303), GatewayRateLimitError, "the team is sending requests too fast"),
    (
        range(1303, 1304),
        GatewayRateLimitError,
        "too many video jobs are running at once for this account; wait for one to finish",
    ),
    (range(5000, 5003), GatewayUnavailableError, "the provider is down or overloaded"),
]

HTTP_ERRORS: dict[int, tuple[type[GatewayError], str]] = {
    400: (GatewayBadRequestError, "The gateway rejected the request (400)"),
    401: (GatewayAuthError, "The gateway rejected the team key (401): ask an admin to replace it"),
    403: (
        GatewayForbiddenError,
        "The gateway refused this request (403): the team key may not use this model or feature",
    ),
    404: (GatewayNotFoundError, "The gateway does not know this route or model (404)"),
    429: (
        GatewayRateLimitError,
        "The gateway is rate-limiting the team (429): wait a moment and try again",
    ),
    500: (GatewayUnavailableError, "The gateway had an internal error (500): try again shortly"),
    501: (GatewayUnavailableError, "The gateway does not implement this (501)"),
    502: (GatewayUnavailableError, "The gateway could not reach the provider (502)"),
    503: (GatewayUnavailableError, "The gateway is overloaded (503): try again shortly"),
    504: (GatewayUnavailableError, "The provider took too long to answer the gateway (504)"),
}

SECRET_PATTERN = re.compile(r"\bsk-[A-Za-z0-9_\-.]{6,}|\bBearer\s+\S+")


class GatewayClient:
    """Talks to the gateway with the team key, which is revealed only inside `_send`."""

    def __init__(self, *, key: KeySource | None, base_url: str | None = None) -> None:
        self.key = key
        self.base_url = (base_url or settings.STARRISE_BASE_URL).rstrip("/")
        self.session = requests.Session()

    # -- Endpoints ---------------------------------------------------------------------------

    def list_models(self) -> list[Model]:
        body = self._json("GET", "/v1/models")
        return [
            Model(id=str(item["id"]), owned_by=str(item.get("owned_by") or ""))
            for item in _list(body, "data")
            if isinstance(item, dict) and item.get("id")
        ]

    def chat(
        self,
        *,
        model: str,
        messages: list[ChatMessage],
        temperature: float | None = None,
        max_tokens: int | None = None,
        top_p: float | None = None,
    ) -> ChatCompletion:
        payload = _chat_payload(model, messages, temperature, max_tokens, top_p)
        body = self._json("POST", "/v1/chat/completions", payload)
        choices = _list(body, "choices")
        if not choices or not isinstance(choices[0], dict):
            raise _protocol("The gateway's chat answer had no choices.")
        message = choices[0].get("message") or {}
        return ChatCompletion(
            id=str(body.get("id") or ""),
            model=str(body.get("model") or model),
            content=str(message.get("content") or ""),
            finish_reason=choices[0].get("finish_reason"),
            usage=_usage(body.get("usage")),
        )

    def chat_stream(
        self,
        *,
        model: str,
        messages: list[ChatMessage],
        temperature: float | None = None,
        max_tokens: int | None = None,
        top_p: float | None = None,
    ) -> Iterator[ChatChunk]:
        payload = _chat_payload(model, messages, temperature, max_tokens, top_p)
        payload |= {"stream": True, "stream_options": {"include_usage": True}}
        response = self._send("POST", "/v1/chat/completions", payload, stream=True)
        with response:
            try:
                for line in response.iter_lines(decode_unicode=True):
                    if not line or not line.startswith("data:"):
                        continue
                    data = line.removeprefix("data:").strip()
                    if data == "[DONE]":
                        return
                    chunk = _parse_json(data, response.status_code)
                    if "error" in chunk:
                        raise _error_from_body(chunk, response.status_code, stream=True)
                    yield _chunk(chunk)
            except requests.RequestException as exc:
                raise GatewayConnectionError(
                    "The gateway closed the connection in the middle of the answer."
                ) from exc
        raise GatewayConnectionError("The gateway's answer stopped before it was complete.")

    def generate_images(self, *, body: dict[str, Any]) -> ImageGeneration:
        answer = self._json("POST", "/v1/images/generations", body)
        usage = answer.get("usage") or {}
        images = []
        for item in _list(answer, "data"):
            error = item.get("error") if isinstance(item, dict) else None
            images.append(
                GeneratedImage(
                    url=item.get("url"),
                    b64_json=item.get("b64_json"),
                    size=item.get("size"),
                    error=_redact(
                        f"{error.get('message') or 'This image failed'} "
                        f"({error.get('code') or 'error'})"
                    )
                    if error
                    else None,
                )
            )
        return ImageGeneration(
            model=str(answer.get("model") or body.get("model") or ""),
            created=int(answer.get("created") or 0),
            images=images,
            generated_images=int(usage.get("generated_images") or len(images)),
            total_tokens=int(usage.get("total_tokens") or 0),
        )

    def seedance_create(self, *, body: dict[str, Any]) -> VideoTask:
        return _task_from_create(self._json("POST", "/v1/video/generations", body))

    def seedance_get(self, *, task_id: str) -> VideoTask:
        return _task_from_query(self._json("GET", f"/v1/video/generations/{task_id}"), task_id)

    def kling_create(self, *, action: KlingAction, body: dict[str, Any]) -> VideoTask:
        return _task_from_create(self._json("POST", f"/kling/v1/videos/{action}", body))

    def kling_get(self, *, action: KlingAction, task_id: str) -> VideoTask:
        # The gateway's page and its brand twin document different query paths; some
        # deployments serve only one, so the other is the fallback for an unknown route.
        paths = [f"/kling/v1/videos/{task_id}", f"/kling/v1/videos/{action}/{task_id}"]
        if settings.STARRISE_KLING_QUERY_PATH == "action":
            paths.reverse()
        try:
            body = self._json("GET", paths[0])
        except GatewayNotFoundError:
            body = self._json("GET", paths[1])
        return _task_from_query(body, task_id)

    # -- HTTP --------------------------------------------------------------------------------

    def _json(self, method: str, path: str, payload: JSON | None = None) -> JSON:
        response = self._send(method, path, payload)
        body = _parse_json(response.text, response.status_code)
        # Kling's envelope can carry a business error inside an HTTP 200.
        if isinstance(body.get("code"), int) and body["code"] != 0:
            raise _error_from_body(body, response.status_code)
        return body

    def _send(
        self, method: str, path: str, payload: JSON | None = None, *, stream: bool = False
    ) -> requests.Response:
        if self.key is None:
            raise NoTeamKeyError(
                "No team key is set: ask an admin to set one on the Team key page."
            )
        url = f"{self.base_url}{path}"
        attempts = settings.STARRISE_MAX_RETRIES + 1
        for attempt in range(1, attempts + 1):
            started = time.monotonic()
            outcome, wait = self._attempt(method, url, payload, stream)
            if isinstance(outcome, requests.Response):
                logger.info(
                    "gateway %s %s -> %s in %.0f ms",
                    method,
                    path,
                    outcome.status_code,
                    (time.monotonic() - started) * 1000,
                )
                return outcome
            error = outcome
            logger.warning(
                "gateway %s %s failed (attempt %d/%d): %s",
                method,
                path,
                attempt,
                attempts,
                error.message,
            )
            if wait is None or attempt == attempts:
                raise error
            time.sleep(wait if wait > 0 else _backoff(attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    def _attempt(
        self, method: str, url: str, payload: JSON | None, stream: bool
    ) -> tuple[requests.Response | GatewayError, float | None]:
        """One request. Returns the response, or the error with how long to wait before the
        next try (0 = exponential backoff, None = do not retry)."""
        assert self.key is not None
        key = self.key.reveal()
        try:
            response = self.session.request(
                method,
                url,
                json=payload,
                stream=stream,
                headers={"Authorization": f"Bearer {key}", "Accept": "application/json"},
                timeout=(settings.STARRISE_CONNECT_TIMEOUT, settings.STARRISE_READ_TIMEOUT),
            )
        except requests.ConnectTimeout:
            return GatewayConnectionError(
                f"Could not connect to the gateway at {self.base_url} in time."
            ), 0
        except requests.Timeout:
            # A POST that timed out may still have been carried out upstream: never resend it.
            timeout = GatewayTimeoutError(
                f"The gateway did not answer within {settings.STARRISE_READ_TIMEOUT:g} seconds."
            )
            return timeout, (0 if method == "GET" else None)
        except requests.RequestException:
            return GatewayConnectionError(
                f"Could not reach the gateway at {self.base_url}: the connection failed or was "
                "dropped."
            ), 0
        if response.status_code < 400:
            return response, None
        error = _error_from_body(
            _parse_json(response.text, response.status_code, strict=False), response.status_code
        )
        response.close()
        if isinstance(error, GatewayRateLimitError):
            if error.retry_after is None:
                error.retry_after = _retry_after(response.headers.get("Retry-After"))
            if error.retry_after is not None and error.retry_after > settings.STARRISE_BACKOFF_MAX:
                return error, None  # Too long to wait inside a request; the caller reschedules.
            return error, error.retry_after or 0
        if response.status_code == 503:
            return error, 0
        return error, None


# -- Normalisation --------------------------------------------------------------------------


def _chat_payload(
    model: str,
    messages: list[ChatMessage],
    temperature: float | None,
    max_tokens: int | None,
    top_p: float | None,
) -> JSON:
    payload: JSON = {
        "model": model,
        "messages": [{"role": m.role, "content": m.content} for m in messages],
    }
    optional = {"temperature": temperature, "max_tokens": max_tokens, "top_p": top_p}
    payload.update({name: value for name, value in optional.items() if value is not None})
    return payload


def _chunk(chunk: JSON) -> ChatChunk:
    choices = chunk.get("choices") or []
    first = choices[0] if choices and isinstance(choices[0], dict) else {}
    delta = first.get("delta") or {}
    return ChatChunk(
        content=str(delta.get("content") or ""),
        finish_reason=first.get("finish_reason"),
        usage=_usage(chunk.get("usage")),
    )


def _usage(value: Any) -> Usage | None:
    if not isinstance(value, dict):
        return None
    return Usage(
        prompt_tokens=int(value.get("prompt_tokens") or 0),
        completion_tokens=int(value.get("completion_tokens") or 0),
        total_tokens=int(value.get("total_tokens") or 0),
    )


def _task_from_create(body: JSON) -> VideoTask:
    """The flat gateway answer ({id, task_id, status}) or Kling's envelope ({code: 0, data})."""
    if body.get("code") == 0 and isinstance(body.get("data"), dict):
        data = body["data"]
        task_id, status = data.get("task_id"), data.get("task_status")
    else:
        task_id, status = body.get("task_id") or body.get("id"), body.get("status")
    if not task_id:
        raise _protocol("The gateway accepted the video job but returned no task id.")
    return _task(str(task_id), status, progress=body.get("progress"))


def _task_from_query(body: JSON, task_id: str) -> VideoTask:
    """The gateway envelope (around Ark or Kling), raw Ark, or raw Kling, onto one VideoTask."""
    if body.get("code") == "success" and isinstance(body.get("data"), dict):
        envelope = body["data"]
        inner = envelope.get("data") if isinstance(envelope.get("data"), dict) else {}
        task = _task(
            str(envelope.get("task_id") or task_id),
            envelope.get("status"),
            progress=envelope.get("progress"),
            video_url=envelope.get("result_url") or _inner_video_url(inner),
            fail_reason=envelope.get("fail_reason") or _inner_fail_reason(inner),
        )
    elif body.get("code") == 0 and isinstance(body.get("data"), dict):
        data = body["data"]
        task = _task(
            str(data.get("task_id") or task_id),
            data.get("task_status"),
            video_url=_inner_video_url(body),
            fail_reason=data.get("task_status_msg"),
        )
    elif "status" in body and ("content" in body or "error" in body or "model" in body):
        task = _task(
            str(body.get("id") or task_id),
            body.get("status"),
            video_url=_inner_video_url(body),
            fail_reason=_inner_fail_reason(body),
        )
    elif isinstance(body.get("code"), str):
        raise _error_from_body(body, 200)
    else:
        raise _protocol(
            "The gateway answered the task query with a shape this playground does not know."
        )
    if task.state is TaskState.SUCCEEDED and not task.video_url:
        raise _protocol("The gateway said the video is ready but gave no video URL.")
    return task


def _task(
    task_id: str,
    status: Any,
    *,
    progress: Any = None,
    video_url: Any = None,
    fail_reason: Any = None,
) -> VideoTask:
    word = str(status or "")
    state = STATES.get(word.lower())
    if state is None:
        raise _protocol(
            f"The gateway reported a task status this playground does not know: {word[:40]!r}."
        )
    if state is TaskState.SUCCEEDED:
        percent, reason = 100, None  # Some versions copy the result URL into fail_reason.
    else:
        percent = _percent(progress)
        reason = None
        if state is TaskState.FAILED:
            reason = _redact(str(fail_reason or "")) or {
                "cancelled": "The task was cancelled upstream.",
                "expired": "The task expired upstream before it finished.",
            }.get(word.lower(), "The provider gave no reason.")
    return VideoTask(
        task_id=task_id,
        state=state,
        progress=percent,
        video_url=str(video_url) if video_url else None,
        fail_reason=reason,
        upstream_status=word,
    )


def _inner_video_url(inner: JSON) -> str | None:
    content = inner.get("content")
    if isinstance(content, dict) and content.get("video_url"):
        return str(content["video_url"])
    kling: JSON = inner["data"] if isinstance(inner.get("data"), dict) else {}
    videos = (kling.get("task_result") or {}).get("videos") or []
    if videos and isinstance(videos[0], dict) and videos[0].get("url"):
        return str(videos[0]["url"])
    return None


def _inner_fail_reason(inner: JSON) -> str | None:
    error = inner.get("error")
    if isinstance(error, dict) and error.get("message"):
        return f"{error['message']} ({error.get('code') or 'error'})"
    kling: JSON = inner["data"] if isinstance(inner.get("data"), dict) else {}
    return kling.get("task_status_msg") or None


def _percent(value: Any) -> int:
    try:
        number = float(str(value or 0).strip().rstrip("%"))
    except ValueError:
        return 0
    return max(0, min(100, int(number)))


# -- Errors, JSON and retries ---------------------------------------------------------------


def _error_from_body(body: JSON, status: int, *, stream: bool = False) -> GatewayError:
    """Maps the OpenAI envelope, the task envelope and Kling's codes onto one exception."""
    error = body.get("error") if isinstance(body.get("error"), dict) else None
    upstream = error.get("message") if error else body.get("message")
    code = error.get("code") if error else body.get("code")
    detail = _redact(str(upstream or "").strip())[:300]
    # Kling's codes come as numbers in its own envelope, as strings inside an OpenAI one.
    if isinstance(code, str) and code.isdigit():
        code = int(code)
    if isinstance(code, int) and not isinstance(code, bool):
        for codes, kind, sentence in KLING_CODES:
            if code in codes:
                message = f"{sentence[0].upper()}{sentence[1:]} (Kling {code})."
                return kind(message + _details(detail), status=status, code=str(code))
    if code == "task_not_exist":
        return TaskNotFoundError(
            "The gateway does not know this task (task_not_exist): it may "
            "have expired or never been created.",
            status=status,
            code=code,
        )
    if code == "task_failed":
        return GatewayBadRequestError(
            f"The provider rejected the job: {detail or 'no reason'}.", status=status, code=code
        )
    if stream:
        return GatewayUnavailableError(
            f"The gateway reported an error in the middle of the answer: {detail or 'no detail'}.",
            status=status,
            code=str(code) if code else None,
        )
    kind, sentence = HTTP_ERRORS.get(status, (GatewayError, f"The gateway answered HTTP {status}"))
    if status >= 500 and kind is GatewayError:
        kind = GatewayUnavailableError
    # A 401's detail adds nothing a user can act on, and some gateways echo part of the key.
    return kind(
        sentence + "." + ("" if status == 401 else _details(detail)),
        status=status,
        code=str(code) if code else None,
    )


def _details(detail: str) -> str:
    return f" Details: {detail.rstrip('.')}." if detail else ""


def _parse_json(text: str, status: int, *, strict: bool = True) -> JSON:
    try:
        body = json.loads(text)
    except ValueError:
        if not strict:
            return {}
        raise _protocol(
            f"The gateway sent a response that is not valid JSON (HTTP {status})."
        ) from None
    if not isinstance(body, dict):
        if not strict:
            return {}
        raise _protocol(f"The gateway sent JSON of an unexpected shape (HTTP {status}).")
    return body


def _list(body: JSON, field: str) -> list[Any]:
    value = body.get(field)
    if not isinstance(value, list):
        raise _protocol(f"The gateway's answer had no '{field}' list.")
    return value


def _protocol(message: str) -> GatewayProtocolError:
    return GatewayProtocolError(message)


def _redact(text: str) -> str:
    """Upstream messages sometimes echo the key back; never pass that on."""
    return SECRET_PATTERN.sub("[redacted]", text)


def _retry_after(header: str | None) -> float | None:
    if not header:
        return None
    try:
        return max(0.0, float(header))
    except ValueError:
        when = email.utils.parsedate_to_datetime(header)
        return max(0.0, when.timestamp() - time.time()) if when else None


def _backoff(attempt: int) -> float:
    """Exponential backoff with jitter, so a team's retries don't arrive in step."""
    ceiling: float = min(
        settings.STARRISE_BACKOFF_MAX, settings.STARRISE_BACKOFF_BASE * 2 ** (attempt - 1)
    )
    return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 - jitter, not crypto
