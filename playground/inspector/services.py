"""Writing the inspector's records: from a gateway trace, cut to size, and dropped when old."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

from playground.gateway.trace import Call, Event, Trace, tracing
from playground.inspector.models import Exchange

logger = logging.getLogger(__name__)

# A video job is polled every few seconds for up to an hour: hundreds of near-identical
# "still running, N %" answers. The first polls show how the task was taken up (its id, the
# first status words) and the last ones how it ended, so those are kept; the ones between add
# nothing an inspector needs and would make every job's record hundreds of rows.
FIRST_POLLS_KEPT = 3
LAST_POLLS_KEPT = 10
# A cut stream keeps its last events: the finish reason, the usage and [DONE] come last.
LAST_EVENTS_KEPT = 5
EVENT_OVERHEAD = 16  # bytes an event costs beyond its text (its offset, the JSON around it)


def exchange_record(*, kind: str, source_id: str | int | uuid.UUID, trace: Trace) -> list[Exchange]:
    """Saves each call of the trace for this chat message, image request or video job. Never
    raises: the gateway call it records has happened, whatever becomes of its record."""
    if not trace.calls:
        return []
    try:
        with transaction.atomic():  # a savepoint, when the caller is inside a transaction
            saved = Exchange.objects.bulk_create(
                _exchange(kind, str(source_id), call) for call in trace.calls
            )
            if any(call.method == "GET" for call in trace.calls):
                _drop_middle_polls(kind, str(source_id))
    except DatabaseError:
        logger.exception("the inspector could not record a gateway call for %s %s", kind, source_id)
        return []
    return saved


@contextmanager
def exchange_recording(*, kind: str, source_id: str | int | uuid.UUID) -> Iterator[Trace]:
    """Records the gateway calls made inside the block (in this thread), when it ends."""
    with tracing() as trace:
        try:
            yield trace
        finally:
            exchange_record(kind=kind, source_id=source_id, trace=trace)


def exchange_prune() -> int:
    """Drops the records older than INSPECTOR_RETENTION_DAYS; returns how many."""
    cutoff = timezone.now() - timedelta(days=settings.INSPECTOR_RETENTION_DAYS)
    dropped, _ = Exchange.objects.filter(created_at__lt=cutoff).delete()
    return dropped


def _exchange(kind: str, source_id: str, call: Call) -> Exchange:
    """The call as a row, its texts cut to INSPECTOR_MAX_BYTES in all: the request gets at
    most half, the answer's body what is left, then the events (the first ones, and the last
    few) what is left after that."""
    budget = settings.INSPECTOR_MAX_BYTES
    request_body = _cut(call.request_body, budget // 2)
    budget -= len(request_body.encode())
    response_body = _cut(call.response_body, budget)
    budget -= len(response_body.encode())
    events = _fitting(call.events, budget)
    return Exchange(
        kind=kind,
        source_id=source_id,
        method=call.method,
        url=call.url,
        stream=call.stream,
        request_headers=call.request_headers,
        request_body=request_body,
        request_bytes=len(call.request_body.encode()),
        status=call.status,
        response_headers=call.response_headers,
        response_body=response_body,
        response_bytes=len(call.response_body.encode()),
        events=[asdict(event) for event in events],
        events_dropped=len(call.events) - len(events),
        error=call.error,
        sent_at=call.sent_at,
        first_byte_ms=call.first_byte_ms,
        first_token_ms=call.first_token_ms,
        last_byte_ms=call.last_byte_ms,
        attempts=[asdict(attempt) for attempt in call.attempts],
    )


def _cut(text: str, limit: int) -> str:
    return text.encode()[: max(limit, 0)].decode(errors="ignore")


def _fitting(events: list[Event], budget: int) -> list[Event]:
    sizes = [len(event.data.encode()) + EVENT_OVERHEAD for event in events]
    if sum(sizes) <= budget:
        return events
    tail = events[-LAST_EVENTS_KEPT:]
    used = sum(sizes[-LAST_EVENTS_KEPT:])
    head: list[Event] = []
    for event, size in zip(events[: -len(tail)], sizes, strict=False):
        if used + size > budget:
            break
        head.append(event)
        used += size
    return head + tail


def _drop_middle_polls(kind: str, source_id: str) -> None:
    """Keeps the first and the last polls (GETs) of a source; see FIRST_POLLS_KEPT."""
    polls = list(
        Exchange.objects.filter(kind=kind, source_id=source_id, method="GET")
        .order_by("id")
        .values_list("id", flat=True)
    )
    if len(polls) > FIRST_POLLS_KEPT + LAST_POLLS_KEPT:
        Exchange.objects.filter(id__in=polls[FIRST_POLLS_KEPT:-LAST_POLLS_KEPT]).delete()
