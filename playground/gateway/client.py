"""The gateway client: one method per endpoint, each wiring a transport call to its module.

Callers import the data types from the concern modules (`chat`, `images`, `video`, `media`)
and the exceptions from `errors`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing, nullcontext
from typing import BinaryIO

from django.conf import settings

from playground.gateway import chat, images, media, video
from playground.gateway.chat import ChatChunk, ChatCompletion, ChatMessage, Model
from playground.gateway.errors import GatewayNotFoundError
from playground.gateway.images import ImageGeneration, ImageRequest
from playground.gateway.media import Download
from playground.gateway.trace import Trace, active_trace, tracing
from playground.gateway.transport import JSON, KeySource, Transport, redact, stream_lines
from playground.gateway.video import KlingAction, KlingRequest, SeedanceRequest, VideoTask


class GatewayClient:
    """Talks to the gateway with the team key, which the transport reveals only per request."""

    def __init__(self, *, key: KeySource | None, base_url: str | None = None) -> None:
        self.transport = Transport(key=key, base_url=base_url or settings.STARRISE_BASE_URL)

    def list_models(
        self, *, timeout: float | None = None, retries: int | None = None
    ) -> list[Model]:
        """The gateway's models. `timeout` and `retries` replace the settings for this call."""
        return chat.models_from(
            self.transport.call("GET", "/v1/models", timeout=timeout, retries=retries)
        )

    def chat(
        self,
        *,
        model: str,
        messages: list[ChatMessage],
        temperature: float | None = None,
        max_tokens: int | None = None,
        top_p: float | None = None,
    ) -> ChatCompletion:
        payload = chat.chat_payload(
            model=model,
            messages=messages,
            temperature=temperature,
            max_tokens=max_tokens,
            top_p=top_p,
        )
        body = self.transport.call(
            "POST", "/v1/chat/completions", payload, unconfirmed=chat.UNCONFIRMED
        )
        return chat.completion_from(body, model=model)

    def chat_stream(
        self,
        *,
        model: str,
        messages: list[ChatMessage],
        temperature: float | None = None,
        max_tokens: int | None = None,
        top_p: float | None = None,
    ) -> Iterator[ChatChunk]:
        """The answer's pieces. Nothing is sent until the first is asked for; a trace active
        now (not then) records the stream, in whichever thread reads it."""
        payload = chat.chat_payload(
            model=model,
            messages=messages,
            temperature=temperature,
            max_tokens=max_tokens,
            top_p=top_p,
            stream=True,
        )
        return self._chat_chunks(payload, active_trace())

    def _chat_chunks(self, payload: JSON, trace: Trace | None) -> Iterator[ChatChunk]:
        with tracing(trace) if trace is not None else nullcontext():
            response = self.transport.open_stream(
                "/v1/chat/completions", payload, unconfirmed=chat.UNCONFIRMED
            )
        call = trace.calls[-1] if trace is not None else None
        lines = stream_lines(response, unconfirmed=chat.UNCONFIRMED)
        if call is not None:
            lines = call.read(lines, redact=redact)
        with closing(lines):  # the last byte's time is known when [DONE] came, not later
            for chunk in chat.chunks_from(lines, status=response.status_code):
                if call is not None and chunk.content:
                    call.token()
                yield chunk

    def generate_images(self, request: ImageRequest) -> ImageGeneration:
        body = self.transport.call(
            "POST", "/v1/images/generations", request.to_json(), unconfirmed=images.UNCONFIRMED
        )
        return images.generation_from(body, model=request.model)

    def seedance_create(self, request: SeedanceRequest, *, retries: int | None = None) -> VideoTask:
        """`retries` replaces STARRISE_MAX_RETRIES: a worker that reschedules the job itself
        passes 0, so that no worker thread sleeps through a Retry-After or a backoff."""
        body = self.transport.call(
            "POST",
            "/v1/video/generations",
            request.to_json(),
            unconfirmed=video.UNCONFIRMED,
            retries=retries,
        )
        return video.task_from_create(body)

    def seedance_get(self, *, task_id: str, retries: int | None = None) -> VideoTask:
        """`retries` as for `seedance_create`."""
        body = self.transport.call("GET", f"/v1/video/generations/{task_id}", retries=retries)
        return video.task_from_query(body, task_id)

    def kling_create(self, request: KlingRequest, *, retries: int | None = None) -> VideoTask:
        """`retries` as for `seedance_create`."""
        body = self.transport.call(
            "POST",
            f"/kling/v1/videos/{request.action}",
            request.to_json(),
            unconfirmed=video.UNCONFIRMED,
            retries=retries,
        )
        return video.task_from_create(body)

    def kling_get(
        self, *, action: KlingAction, task_id: str, retries: int | None = None
    ) -> VideoTask:
        # The gateway's page and its brand twin document different query paths; some
        # deployments serve only one, so the other is the fallback for an unknown route.
        paths = [f"/kling/v1/videos/{task_id}", f"/kling/v1/videos/{action}/{task_id}"]
        if settings.STARRISE_KLING_QUERY_PATH == "action":
            paths.reverse()
        try:
            body = self.transport.call("GET", paths[0], retries=retries)
        except GatewayNotFoundError:
            body = self.transport.call("GET", paths[1], retries=retries)
        return video.task_from_query(body, task_id)

    def download(self, url: str, into: BinaryIO, *, max_bytes: int | None = None) -> Download:
        return media.download(url, into, max_bytes=max_bytes, transport=self.transport)
