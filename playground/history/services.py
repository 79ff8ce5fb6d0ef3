"""Writes to the history: the one service the chat, image and video apps call."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from playground.chat.models import ChatExchange, Conversation
from playground.compare.models import Comparison
from playground.history.models import Event, Item
from playground.images.models import GeneratedImage, Generation
from playground.videos.models import VideoJob

Kind = Item.Kind


@dataclass(frozen=True)
class Snapshot:
    """What the history keeps of a source row."""

    user_id: int
    model: str
    state: str
    in_flight: bool
    title: str
    created_at: datetime
    finished_at: datetime | None
    duration_ms: int | None
    media: str


def _duration(created_at: datetime, finished_at: datetime | None) -> int | None:
    if finished_at is None:
        return None
    return max(0, int((finished_at - created_at).total_seconds() * 1000))


def video_snapshot(job: VideoJob) -> Snapshot:
    return Snapshot(
        user_id=job.user_id,
        model=job.model,
        state=job.state,
        in_flight=job.state in VideoJob.ACTIVE,
        title=job.prompt,
        created_at=job.created_at,
        finished_at=job.finished_at,
        duration_ms=_duration(job.created_at, job.finished_at),
        media=reverse("videos:poster", args=[job.id]) if job.poster else "",
    )


def image_snapshot(generation: Generation, thumbnail: str) -> Snapshot:
    return Snapshot(
        user_id=generation.user_id,
        model=generation.model,
        state=generation.state,
        in_flight=generation.state in Generation.ACTIVE,
        title=generation.prompt,
        created_at=generation.created_at,
        finished_at=generation.finished_at,
        duration_ms=_duration(generation.created_at, generation.finished_at),
        media=thumbnail,
    )


def chat_snapshot(
    conversation: Conversation, latest: ChatExchange | None, answering_ms: int | None
) -> Snapshot:
    state = latest.status if latest else ChatExchange.Status.DONE
    in_flight = latest is not None and latest.running
    return Snapshot(
        user_id=conversation.user_id,
        model=conversation.model,
        state=state,
        in_flight=in_flight,
        title=conversation.title,
        created_at=conversation.created_at,
        finished_at=None if in_flight else conversation.updated_at,
        duration_ms=None if in_flight else answering_ms,
        media="",
    )


def comparison_snapshot(comparison: Comparison) -> Snapshot:
    models = ", ".join(comparison.columns.values_list("model", flat=True))
    return Snapshot(
        user_id=comparison.user_id,
        model=models[:200],
        state=comparison.state,
        in_flight=comparison.state == Comparison.State.RUNNING,
        title=comparison.prompt,
        created_at=comparison.created_at,
        finished_at=comparison.finished_at,
        duration_ms=_duration(comparison.created_at, comparison.finished_at),
        media="",
    )


def _snapshot(kind: str, source_id: str) -> Snapshot | None:
    if kind == Kind.COMPARE:
        comparison = Comparison.objects.filter(id=source_id).first()
        return comparison_snapshot(comparison) if comparison else None
    if kind == Kind.VIDEO:
        job = VideoJob.objects.filter(id=source_id).first()
        return video_snapshot(job) if job else None
    if kind == Kind.IMAGE:
        generation = Generation.objects.filter(id=source_id).first()
        if generation is None:
            return None
        first = (
            GeneratedImage.objects.filter(generation=generation)
            .exclude(thumbnail="")
            .order_by("index")
            .values_list("id", flat=True)
            .first()
        )
        thumbnail = reverse("images:thumbnail", args=[first]) if first else ""
        return image_snapshot(generation, thumbnail)
    conversation = Conversation.objects.filter(id=source_id).first()
    if conversation is None:
        return None
    exchanges = ChatExchange.objects.filter(conversation=conversation)
    latest = exchanges.order_by("-created_at", "-id").first()
    answering = exchanges.aggregate(total=Sum("duration_ms"))["total"]
    return chat_snapshot(conversation, latest, answering)


def item_record(*, kind: str, source_id: uuid.UUID | int | str) -> Item | None:
    """Copies a chat conversation, image request or video job into the history (upsert by kind
    and source id), with an Event when its state changed. Called at creation and at every state
    change; a source deleted meanwhile leaves the history as it was."""
    source = str(source_id)
    snapshot = _snapshot(kind, source)
    if snapshot is None:
        return None
    with transaction.atomic():
        before = (
            Item.objects.select_for_update()
            .filter(kind=kind, source_id=source)
            .values_list("state", flat=True)
            .first()
        )
        values = asdict(snapshot)
        # The upsert returns the row's id (RETURNING), so no second read is needed.
        [item] = Item.objects.bulk_create(
            [Item(kind=kind, source_id=source, **values)],
            update_conflicts=True,
            unique_fields=["kind", "source_id"],
            update_fields=list(values),
        )
        if before != snapshot.state:
            Event.objects.create(item=item, state=snapshot.state, at=timezone.now())
    return item
