"""Comparisons: one prompt, 2 to 4 columns, each made through its own app's services.

A chat column is a conversation of one exchange (`chat_send`, then `exchange_stream`), an image
column a generation (`generation_create`, then `generation_run`), a video column an ordinary job
(`video_job_create`, run by the Celery worker). So every column is saved, streamed, archived,
swept and listed exactly as it would be on its own page; this module adds the figures of the
chat columns and the comparison's own state.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from playground.accounts.models import User
from playground.chat.models import ChatExchange
from playground.chat.selectors import answering_get
from playground.chat.services import ChatSettings, chat_send, exchange_stream
from playground.compare.models import Column, Comparison
from playground.history.services import item_record
from playground.images.models import Generation
from playground.images.services import generation_create, generation_run
from playground.videos.services import video_job_create

Kind = Comparison.Kind
State = Comparison.State


@dataclass(frozen=True)
class ColumnSpec:
    """A column before it runs: the model and what its source row is made from (chat settings,
    a generation's params, or a video job's params with its `action`), all but the prompt."""

    model: str
    params: dict[str, Any]


def must_own(comparison: Comparison, user: User) -> None:
    if not comparison.is_owned_by(user):
        raise PermissionDenied(gettext("Only its owner can run this comparison; rerun it instead."))


def comparison_create(
    *,
    user: User,
    kind: str,
    prompt: str,
    specs: list[ColumnSpec],
    comparison_id: uuid.UUID | None = None,
    rerun_of: Comparison | None = None,
) -> tuple[Comparison, bool]:
    """Saves the comparison and every column's source row, in one transaction: a quota refusal
    on any column leaves nothing behind. Chat and image columns are left pending, for the page
    (or `column_run`) to run; video jobs are queued for the worker once this commits.

    `comparison_id` comes from the form, so a POST sent again finds the comparison it made."""
    if comparison_id is not None:
        existing = Comparison.objects.filter(id=comparison_id).first()
        if existing is not None:
            return existing, False
    with transaction.atomic():
        comparison = Comparison.objects.create(
            id=comparison_id or uuid.uuid4(),
            user=user,
            kind=kind,
            prompt=prompt,
            rerun_of=rerun_of,
        )
        for position, spec in enumerate(specs, start=1):
            column = Column(
                comparison=comparison, position=position, model=spec.model, params=spec.params
            )
            _make_source(column, user=user, prompt=prompt)
            column.save()
        item_record(kind="compare", source_id=comparison.id)
    return comparison, True


def _make_source(column: Column, *, user: User, prompt: str) -> None:
    kind = column.comparison.kind
    params = column.params
    if kind == Kind.CHAT:
        column.exchange = chat_send(
            user=user,
            conversation=None,
            chat_settings=ChatSettings(model=column.model, **params),
            message=prompt,
        )
    elif kind == Kind.IMAGE:
        column.generation, _ = generation_create(user=user, params={**params, "prompt": prompt})
    else:
        job_params = {name: value for name, value in params.items() if name != "action"}
        column.video_job = video_job_create(
            user=user, action=params["action"], params={**job_params, "prompt": prompt}
        )


def comparison_rerun(*, user: User, comparison: Comparison) -> Comparison:
    """A new comparison of the same prompt and columns, owned by whoever asked."""
    specs = [ColumnSpec(model=c.model, params=c.params) for c in comparison.columns.all()]
    rerun, _ = comparison_create(
        user=user,
        kind=comparison.kind,
        prompt=comparison.prompt,
        specs=specs,
        rerun_of=comparison,
    )
    return rerun


def column_stream(*, column_id: int) -> Iterator[str]:
    """A chat column's answer, piece by piece (see `exchange_stream`), timed on the way: time to
    first token, total time and the completion tokens are saved on the column at the end, in
    whichever thread finishes the answer. Nothing is recorded for an answer run elsewhere."""
    column = Column.objects.get(id=column_id)
    assert column.exchange_id is not None
    answering = answering_get(exchange_id=column.exchange_id)
    assert answering is not None
    started = time.monotonic()
    first: float | None = None
    pieces = exchange_stream(answering=answering)
    try:
        for piece in pieces:
            if first is None:
                first = time.monotonic()
            yield piece
    finally:
        close = getattr(pieces, "close", None)
        if close is not None:
            close()  # a Stop or a gone reader: the exchange saves what arrived
        ended = time.monotonic()
        exchange = ChatExchange.objects.get(id=column.exchange_id)
        if not exchange.running:  # else another request is running it, and times it
            Column.objects.filter(id=column_id, total_ms__isnull=True).update(
                ttft_ms=None if first is None else int((first - started) * 1000),
                total_ms=int((ended - started) * 1000),
                tokens=exchange.completion_tokens,
            )
        comparison_refresh(comparison_id=column.comparison_id)


def column_run(*, user: User, column: Column) -> Column:
    """Runs a pending chat or image column to its end in this request (the path without
    JavaScript, and the image grid's per-column request). A video column runs in the worker."""
    must_own(column.comparison, user)
    if column.exchange is not None and column.exchange.status == ChatExchange.Status.PENDING:
        for _ in column_stream(column_id=column.id):
            pass
    elif column.generation is not None and column.generation.state == Generation.State.PENDING:
        generation_run(generation=column.generation)
        comparison_refresh(comparison_id=column.comparison_id)
    return Column.objects.select_related("exchange", "generation", "video_job").get(id=column.id)


def comparison_refresh(*, comparison_id: uuid.UUID) -> Comparison:
    """The comparison's state from its columns' (running while any runs; failed when all
    failed; else done), saved and copied to the history when it changed. Called when a column
    ends here, when a page shows a column, and by beat's sweep, since video jobs end in the
    worker."""
    comparison = Comparison.objects.get(id=comparison_id)
    columns = list(comparison.columns.select_related("exchange", "generation", "video_job"))
    if any(column.running for column in columns):
        state = State.RUNNING
    elif all(column.failed for column in columns):
        state = State.FAILED
    else:
        state = State.DONE
    if state != comparison.state:
        finished_at = None if state == State.RUNNING else timezone.now()
        changed = Comparison.objects.filter(id=comparison_id).exclude(state=state)
        if changed.update(state=state, finished_at=finished_at):
            comparison.state, comparison.finished_at = state, finished_at
            item_record(kind="compare", source_id=comparison_id)
    return comparison


def comparison_sweep() -> int:
    """Beat's look at the comparisons still running, so that one whose columns ended with nobody
    watching (a video job finished by the worker, an answer finished by the chat sweeper) ends
    in the history too. Returns how many ended."""
    running = Comparison.objects.filter(state=State.RUNNING).values_list("id", flat=True)
    ended = 0
    for comparison_id in list(running[:500]):
        if comparison_refresh(comparison_id=comparison_id).state != State.RUNNING:
            ended += 1
    return ended
