"""An optional record of the gateway calls made inside `with tracing() as trace:`, for the
request inspector: each request as sent (the key redacted), the answer, its timings, and every
attempt with why it was retried and how long it waited.

The transport and the chat stream reader write to the active trace; with none active nothing
is recorded. The context variable is only ever set around plain calls, never across a
generator's `yield` (a context variable set there would leak to whoever resumes the generator,
in whatever thread): a stream takes the trace active when it is created and keeps it, so it
may be read to its end in another thread (see GatewayClient.chat_stream).

Nothing here reveals the key: the transport passes the key it already holds (`secret`) for
every text that it hands over, and each is scrubbed before it is kept.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Generator, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import requests
from django.utils import timezone

REDACTED = "[redacted]"
# Base64 image data, raw (Kling) or as a data URI (Ark): never kept, only its size. A string of
# this length in base64's alphabet alone is not text anyone typed.
_DATA_URI = re.compile(r"data:[\w.+/-]+;base64,([A-Za-z0-9+/]*={0,2})")
_RAW_BASE64 = re.compile(r"[A-Za-z0-9+/]{256,}={0,2}")


@dataclass
class Attempt:
    number: int
    sent_ms: int  # from the call's start
    duration_ms: int
    status: int | None  # None when no answer came
    outcome: str  # "answered", or the error in words
    wait_s: float | None = None  # slept before the next attempt; None when none followed
    retry_after_s: float | None = None  # what the gateway asked for, if anything


@dataclass
class Event:
    offset_ms: int  # from the call's start
    data: str  # one line of the server-sent events, as it came


@dataclass
class Call:
    """One call of the transport: one request, sent once or more by the retry policy."""

    method: str
    url: str
    request_body: str  # the JSON as sent, base64 images replaced by their size
    stream: bool
    sent_at: datetime
    started: float = field(default_factory=time.monotonic, repr=False)
    request_headers: dict[str, str] = field(default_factory=dict)
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: str = ""
    events: list[Event] = field(default_factory=list)
    first_byte_ms: int | None = None
    first_token_ms: int | None = None
    last_byte_ms: int | None = None
    attempts: list[Attempt] = field(default_factory=list)
    error: str = ""  # what the call raised in the end, in words
    _sent: float = field(default=0.0, repr=False)

    def offset(self, moment: float | None = None) -> int:
        return round(((time.monotonic() if moment is None else moment) - self.started) * 1000)

    def sending(self, headers: Mapping[str, str], *, secret: str) -> None:
        """An attempt is about to go out with these headers (the key among them)."""
        self._sent = time.monotonic()
        self.request_headers = scrub_headers(headers, secret)
        self.request_body = scrub(self.request_body, secret)

    def answered(self, response: requests.Response, *, secret: str, read_body: bool) -> None:
        """The answer's status and headers came; with `read_body` its body is read now (a
        successful stream's body is left to its reader)."""
        self.request_headers = scrub_headers(response.request.headers, secret)
        self.status = response.status_code
        self.response_headers = scrub_headers(response.headers, secret)
        self.first_byte_ms = self.offset(self._sent + response.elapsed.total_seconds())
        self.events.clear()
        self.first_token_ms = None
        if read_body:
            try:
                text = response.text
            except (requests.RequestException, RuntimeError):
                text = ""  # the transport reports the broken answer; nothing more to keep
            self.response_body = scrub(without_blobs_text(text), secret)
            self.last_byte_ms = self.offset()

    def tried(
        self,
        number: int,
        started: float,
        *,
        status: int | None,
        outcome: str,
        wait_s: float | None = None,
        retry_after_s: float | None = None,
    ) -> None:
        self.attempts.append(
            Attempt(
                number=number,
                sent_ms=self.offset(started),
                duration_ms=self.offset() - self.offset(started),
                status=status,
                outcome=outcome,
                wait_s=None if wait_s is None else round(wait_s, 3),
                retry_after_s=retry_after_s,
            )
        )

    def read(self, lines: Iterator[str], *, redact: Callable[[str], str]) -> Generator[str]:
        """A stream's lines, passed on as they come, each kept with its offset (`redact`
        cleans a line of anything that looks like a key); the last byte's time at the end."""
        try:
            for line in lines:
                if line:
                    self.events.append(Event(self.offset(), redact(line)))
                yield line
        finally:
            self.last_byte_ms = self.offset()

    def token(self) -> None:
        """A piece of the answer's text arrived: the first one is the first token."""
        if self.first_token_ms is None:
            self.first_token_ms = self.offset()


@dataclass
class Trace:
    calls: list[Call] = field(default_factory=list)

    def call(self, method: str, url: str, payload: Any, *, stream: bool) -> Call:
        body = "" if payload is None else json.dumps(without_blobs(payload), ensure_ascii=False)
        call = Call(method, url, body, stream, sent_at=timezone.now())
        self.calls.append(call)
        return call


_active: ContextVar[Trace | None] = ContextVar("gateway_trace", default=None)


def active_trace() -> Trace | None:
    return _active.get()


@contextmanager
def tracing(trace: Trace | None = None) -> Iterator[Trace]:
    """Records the gateway calls made inside the block, in this thread, into `trace` (a new
    one unless given). Never use it across a `yield`; see the module's docstring."""
    trace = Trace() if trace is None else trace
    token = _active.set(trace)
    try:
        yield trace
    finally:
        _active.reset(token)


def scrub(text: str, secret: str) -> str:
    return text.replace(secret, REDACTED) if secret else text


def scrub_headers(headers: Mapping[str, str], secret: str) -> dict[str, str]:
    kept = {}
    for name, value in headers.items():
        if name.lower() == "authorization":
            value = f"Bearer {REDACTED}" if value.startswith("Bearer ") else REDACTED
        kept[name] = scrub(str(value), secret)
    return kept


def blob_marker(text: str) -> str | None:
    """'[N bytes base64]' for a base64 image (raw or a data URI), else None."""
    match = _DATA_URI.fullmatch(text)
    data = match.group(1) if match else text if _RAW_BASE64.fullmatch(text) else None
    if data is None:
        return None
    size = len(data) * 3 // 4 - data[-2:].count("=")
    return f"[{size} bytes base64]"


def without_blobs(value: Any) -> Any:
    """The JSON value with every base64 image replaced by its size."""
    if isinstance(value, str):
        return blob_marker(value) or value
    if isinstance(value, dict):
        return {key: without_blobs(item) for key, item in value.items()}
    if isinstance(value, list):
        return [without_blobs(item) for item in value]
    return value


def without_blobs_text(text: str) -> str:
    """An answer's text; if it is JSON carrying base64 images (`b64_json`), the JSON again
    with each replaced by its size, else the text as it came."""
    # Every answer of a traced call comes here: most carry no image, and are then kept as they
    # are without parsing the JSON a second time (the transport parses it too).
    if len(text) < 256 or ("base64," not in text and not _RAW_BASE64.search(text)):
        return text
    try:
        value = json.loads(text)
    except ValueError:
        return text
    cleaned = without_blobs(value)
    return text if cleaned == value else json.dumps(cleaned, ensure_ascii=False)


def pretty(text: str) -> str:
    """A JSON text indented for reading; any other text as it is."""
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text
