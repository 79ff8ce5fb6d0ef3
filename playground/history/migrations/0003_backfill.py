"""Fills the history from the chat conversations, image requests and video jobs made before it
existed: one item each, with a timeline of what is known (created, and finished if it did)."""

from typing import Any

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django.db.models import Sum
from django.urls import reverse

BATCH = 2000
VIDEO_ACTIVE = ("queued", "submitting", "running", "archiving")
IMAGE_ACTIVE = ("pending", "running", "saving")
CHAT_ACTIVE = ("pending", "streaming")


def _duration(created: Any, finished: Any) -> int | None:
    if finished is None:
        return None
    return max(0, int((finished - created).total_seconds() * 1000))


def _videos(apps: StateApps) -> Any:
    for job in apps.get_model("videos", "VideoJob").objects.order_by("created_at").iterator(BATCH):
        yield (
            "video",
            str(job.id),
            {
                "user_id": job.user_id,
                "model": job.model,
                "state": job.state,
                "in_flight": job.state in VIDEO_ACTIVE,
                "title": job.prompt,
                "created_at": job.created_at,
                "finished_at": job.finished_at,
                "duration_ms": _duration(job.created_at, job.finished_at),
                "media": reverse("videos:poster", args=[job.id]) if job.poster else "",
            },
        )


def _images(apps: StateApps) -> Any:
    image_model = apps.get_model("images", "GeneratedImage")
    generations = apps.get_model("images", "Generation").objects.order_by("created_at")
    for generation in generations.iterator(BATCH):
        first = (
            image_model.objects.filter(generation_id=generation.id)
            .exclude(thumbnail="")
            .order_by("index")
            .values_list("id", flat=True)
            .first()
        )
        yield (
            "image",
            str(generation.id),
            {
                "user_id": generation.user_id,
                "model": generation.model,
                "state": generation.state,
                "in_flight": generation.state in IMAGE_ACTIVE,
                "title": generation.prompt,
                "created_at": generation.created_at,
                "finished_at": generation.finished_at,
                "duration_ms": _duration(generation.created_at, generation.finished_at),
                "media": reverse("images:thumbnail", args=[first]) if first else "",
            },
        )


def _chats(apps: StateApps) -> Any:
    exchange_model = apps.get_model("chat", "ChatExchange")
    conversations = apps.get_model("chat", "Conversation").objects.order_by("created_at")
    for conversation in conversations.iterator(BATCH):
        exchanges = exchange_model.objects.filter(conversation_id=conversation.id)
        latest = exchanges.order_by("-created_at", "-id").first()
        state = latest.status if latest else "done"
        in_flight = state in CHAT_ACTIVE
        yield (
            "chat",
            str(conversation.id),
            {
                "user_id": conversation.user_id,
                "model": conversation.model,
                "state": state,
                "in_flight": in_flight,
                "title": conversation.title,
                "created_at": conversation.created_at,
                "finished_at": None if in_flight else conversation.updated_at,
                "duration_ms": None
                if in_flight
                else exchanges.aggregate(total=Sum("duration_ms"))["total"],
                "media": "",
            },
        )


def backfill(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    item_model = apps.get_model("history", "Item")
    event_model = apps.get_model("history", "Event")
    for source in (_videos, _images, _chats):
        batch: list[tuple[str, str, dict[str, Any]]] = []
        for row in source(apps):
            batch.append(row)
            if len(batch) == BATCH:
                _save(item_model, event_model, batch)
                batch = []
        _save(item_model, event_model, batch)


def _save(item_model: Any, event_model: Any, batch: list[tuple[str, str, dict[str, Any]]]) -> None:
    if not batch:
        return
    items = item_model.objects.bulk_create(
        [item_model(kind=kind, source_id=source_id, **values) for kind, source_id, values in batch],
        ignore_conflicts=True,
    )
    saved = item_model.objects.filter(
        kind__in={item.kind for item in items}, source_id__in=[item.source_id for item in items]
    ).values_list("id", "kind", "source_id", "state", "created_at", "finished_at")
    events = []
    for ident, _kind, _source, state, created_at, finished_at in saved:
        if event_model.objects.filter(item_id=ident).exists():
            continue
        events.append(event_model(item_id=ident, state="created", at=created_at))
        if finished_at is not None:
            events.append(event_model(item_id=ident, state=state, at=finished_at))
    event_model.objects.bulk_create(events)


class Migration(migrations.Migration):
    dependencies = [
        ("history", "0002_search_index"),
        ("chat", "0002_shared_streamed_conversations"),
        ("images", "0001_initial"),
        ("videos", "0001_initial"),
    ]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
