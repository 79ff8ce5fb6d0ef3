"""The answer as server-sent events, from a generator that survives the browser leaving.

Why the SSE generator reads the gateway itself, and hands the rest to a thread only when the
browser goes away: the usual case then costs no thread switch and no queue between a token
arriving and it being written out (the benchmark measures that gap), and a thread is started
only for the rare stream whose reader left. The WSGI server (runserver, gunicorn's gthread)
notices a gone browser when a write fails and closes our generator; GeneratorExit arrives at
the `yield` where it was suspended, while the upstream iterator is suspended between two
chunks, so another thread can go on iterating it: it reads the rest, saves the answer, and
closes its own database connection at the end.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.db import connection
from django.http import StreamingHttpResponse

logger = logging.getLogger("playground.chat")

WAIT_FOR_OTHER_SECONDS = 300  # how long a second reader waits for an answer run elsewhere


def event(name: str, data: Any) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()


def finish_in_background(pieces: Iterator[str]) -> threading.Thread:
    def drain() -> None:
        try:
            for _ in pieces:
                pass
        except Exception:
            logger.exception("a chat answer failed after its browser went away")
        finally:
            connection.close()

    thread = threading.Thread(target=drain, name="chat-answer", daemon=True)
    thread.start()
    return thread


def relay(pieces: Iterator[str], finished: Callable[[], Any]) -> Iterator[bytes]:
    """`delta` events for each piece, then `done` with what `finished()` returns."""
    try:
        # A comment first: headers and a byte reach the browser before the gateway answers.
        yield b": answering\n\n"
        for piece in pieces:
            yield event("delta", {"text": piece})
    except GeneratorExit:
        # The browser went away: the answer still finishes and is saved.
        finish_in_background(pieces)
        raise
    yield event("done", finished())


def wait_then_finish(
    still_running: Callable[[], bool], finished: Callable[[], Any], poll: float = 0.5
) -> Iterator[bytes]:
    """For an answer being run by another request (or its background thread): keep-alive
    comments until it ends, then `done`."""
    deadline = time.monotonic() + WAIT_FOR_OTHER_SECONDS
    while still_running() and time.monotonic() < deadline:
        yield b": still answering\n\n"
        time.sleep(poll)
    yield event("done", finished())


def answer_events(
    pieces: Callable[[], Iterator[str]],
    *,
    pending: bool,
    still_running: Callable[[], bool],
    finished: Callable[[], Any],
) -> StreamingHttpResponse:
    """The SSE response for one answer: relayed from the gateway by this request when the
    answer is still pending, else waited for (another request or thread is running it)."""
    events = relay(pieces(), finished) if pending else wait_then_finish(still_running, finished)
    response = StreamingHttpResponse(events, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # a proxy in front must not hold the events back
    return response
