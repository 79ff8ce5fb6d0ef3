"""Reads of the team's history: filtered, keyset-paginated, with a constant number of queries."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.postgres.search import (
    SearchQuery,
    SearchQueryCombinable,
    SearchQueryField,
    SearchVectorField,
)
from django.db import connection
from django.db.models import (
    DateTimeField,
    ExpressionWrapper,
    F,
    Func,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from playground.accounts.models import User
from playground.chat.models import ChatExchange, Conversation
from playground.compare.models import Comparison
from playground.gateway.chat import ChatMessage, chat_payload
from playground.history.models import SEARCH_CONFIG, Event, Item
from playground.images.models import GeneratedImage, Generation
from playground.videos.models import VideoJob

PAGE_SIZE = 50
NEWEST = ("-created_at", "-id")
# How many of the newest rows a search looks through before asking the GIN index instead.
SCAN_FIRST = 20_000
LIST_FIELDS = (
    "id",
    "kind",
    "source_id",
    "model",
    "state",
    "in_flight",
    "title",
    "created_at",
    "finished_at",
    "duration_ms",
    "media",
    "user__id",
    "user__username",
)


@dataclass(frozen=True)
class Filters:
    kind: str = ""
    model: str = ""
    state: str = ""
    user: str = ""  # a username
    since: date | None = None
    until: date | None = None
    q: str = ""

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> Filters:
        def text(name: str, limit: int = 200) -> str:
            return (query.get(name) or "").strip()[:limit]

        kind = text("kind")
        return cls(
            kind=kind if kind in Item.Kind.values else "",
            model=text("model"),
            state=text("state", 20),
            user=text("user", 150),
            since=parse_date(text("since", 10)) if _is_date(text("since", 10)) else None,
            until=parse_date(text("until", 10)) if _is_date(text("until", 10)) else None,
            q=text("q"),
        )

    def as_query(self) -> dict[str, str]:
        """The filters as query-string parameters, empty ones left out."""
        values = {
            "kind": self.kind,
            "model": self.model,
            "state": self.state,
            "user": self.user,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
            "q": self.q,
        }
        return {name: value for name, value in values.items() if value}


def _is_date(value: str) -> bool:
    try:
        return parse_date(value) is not None
    except ValueError:
        return False


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def item_filter(filters: Filters) -> QuerySet[Item]:
    """Every item the filters let through, newest first (created_at, then id)."""
    items = Item.objects.all()
    if filters.kind:
        items = items.filter(kind=filters.kind)
    if filters.model:
        items = items.filter(model=filters.model)
    if filters.state:
        items = items.filter(state=filters.state)
    if filters.user:
        items = items.filter(user__username=filters.user)
    if filters.since:
        items = items.filter(created_at__gte=_day_start(filters.since))
    if filters.until:
        items = items.filter(created_at__lt=_day_start(filters.until + timedelta(days=1)))
    if filters.q:
        items = _search(items, filters)
    return items.order_by("-created_at", "-id")


class ExactLexeme(SearchQueryCombinable, Func):  # type: ignore[misc]
    """A tsquery of one lexeme taken as it is: a cast, because to_tsquery would split
    `kind:video` into words."""

    template = "%(expressions)s::tsquery"
    output_field = SearchQueryField()

    def __init__(self, lexeme: str) -> None:
        quoted = "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"
        super().__init__(Value(quoted))


def _search(items: QuerySet[Item], filters: Filters) -> QuerySet[Item]:
    """Full-text search of the title on PostgreSQL (the GIN index), else icontains."""
    if connection.vendor != "postgresql":
        for word in filters.q.split():
            items = items.filter(title__icontains=word)
        return items
    return items.filter(search=_words(filters))


def _words(filters: Filters, *, with_filters: bool = False) -> SearchQueryCombinable:
    """The search words as a text query; `with_filters` adds the equality filters as lexemes of
    the vector (migration 0004), so that the GIN index answers words and filters together."""
    query: SearchQueryCombinable = SearchQuery(
        filters.q, config=SEARCH_CONFIG, search_type="websearch"
    )
    for column in ("kind", "state", "model"):
        if with_filters and (value := getattr(filters, column)):
            query = query & ExactLexeme(f"{column}:{value}")
    return query


# -- Keyset cursor -----------------------------------------------------------------------------


def cursor_encode(item: Item) -> str:
    return f"{item.created_at.isoformat()}_{item.id}"


def cursor_decode(cursor: str) -> tuple[datetime, int] | None:
    stamp, _, ident = cursor.rpartition("_")
    try:
        at = parse_datetime(stamp)
        return (at, int(ident)) if at is not None else None
    except ValueError:
        return None


def _after(items: QuerySet[Item], cursor: tuple[datetime, int]) -> QuerySet[Item]:
    """Rows strictly after the cursor in (created_at desc, id desc) order. `created_at <= at`
    bounds the index range; the OR only separates rows that share the cursor's created_at."""
    at, ident = cursor
    return items.filter(created_at__lte=at).filter(Q(created_at__lt=at) | Q(id__lt=ident))


@dataclass(frozen=True)
class Page:
    items: list[Item]
    next_cursor: str  # empty on the last page


def item_page(*, filters: Filters, cursor: str = "", size: int = PAGE_SIZE) -> Page:
    """One page of the history: one query (the user comes with a join), two for some searches."""
    decoded = cursor_decode(cursor) if cursor else None
    items = item_filter(replace(filters, q=""))
    everyone = Item.objects.all()
    if decoded is not None:
        items = _after(items, decoded)
        everyone = _after(everyone, decoded)
    if filters.q and connection.vendor == "postgresql":
        rows = _searched_page(items, filters, size, everyone=everyone)
    else:
        rows = _rows(_search(items, filters) if filters.q else items, size)
    more = len(rows) > size
    rows = rows[:size]
    return Page(items=rows, next_cursor=cursor_encode(rows[-1]) if more else "")


def _rows(items: QuerySet[Item], size: int) -> list[Item]:
    return list(items.select_related("user").only(*LIST_FIELDS)[: size + 1])


def _searched_page(
    items: QuerySet[Item], filters: Filters, size: int, *, everyone: QuerySet[Item]
) -> list[Item]:
    """A search page in time whatever the words. Common words: the team's newest SCAN_FIRST
    items (after the cursor) hold a page of matches, found by walking the btree index down to
    that bound (a subquery, so still one query). Rare words: the GIN index finds the few
    matches, which are then sorted; ordering by an expression keeps the planner from walking
    the whole btree index and filtering every row instead, expecting the matches to be many."""
    bound = everyone.order_by(*NEWEST).values_list("created_at", flat=True)[SCAN_FIRST - 1 :]
    # The bound is read first, so that the planner sees a value and knows the window is small.
    # The window is read through the btree, the vector checked row by row: the planner,
    # misjudging how many rows hold the words, would otherwise read every match from GIN.
    oldest = bound.first()
    if oldest is not None:
        scanned = Coalesce("search", Value("", output_field=SearchVectorField()))
        window = items.filter(created_at__gte=oldest).alias(scanned=scanned)
        rows = _rows(window.filter(scanned=_words(filters)), size)
        if len(rows) > size:
            return rows
    unindexed = ExpressionWrapper(F("created_at") + timedelta(0), output_field=DateTimeField())
    found = items.filter(search=_words(filters, with_filters=True))
    return _rows(found.order_by(unindexed.desc(), F("id").desc()), size)


def item_statuses(*, ids: list[int]) -> list[Item]:
    """The listed items' live fields, for the status partial: one query by primary key."""
    return list(
        Item.objects.filter(id__in=ids[:PAGE_SIZE])
        .only("id", "state", "in_flight", "finished_at", "duration_ms", "created_at", "media")
        .order_by("-created_at", "-id")
    )


def item_export(*, filters: Filters) -> Iterator[dict[str, Any]]:
    """Every filtered item as plain values, streamed from the database in chunks."""
    rows = item_filter(filters).values(
        "id",
        "kind",
        "source_id",
        "user__username",
        "model",
        "state",
        "title",
        "created_at",
        "finished_at",
        "duration_ms",
    )
    for row in rows.iterator(chunk_size=2000):
        yield dict(row)


def item_get(*, item_id: int) -> Item | None:
    return Item.objects.select_related("user").filter(id=item_id).first()


def item_events(*, item: Item) -> list[Event]:
    return list(Event.objects.filter(item=item).order_by("at", "id"))


def team_members() -> list[User]:
    return list(User.objects.order_by("username").only("id", "username"))


STATES = sorted(
    {
        "queued",
        "submitting",
        "running",
        "archiving",
        "succeeded",
        "failed",
        "unknown",
        "cancelled",
        "pending",
        "saving",
        "done",
        "streaming",
        "stopped",
    }
)


# -- Detail ------------------------------------------------------------------------------------


@dataclass
class Detail:
    """An item's source as the detail page shows it: the request as sent (images by reference,
    never the key), the response as the app stored it, and the media."""

    request_body: dict[str, Any]
    response: dict[str, Any]
    action: str = ""  # a video job's
    video: VideoJob | None = None
    generation: Generation | None = None
    images: list[GeneratedImage] = field(default_factory=list)
    conversation: Conversation | None = None
    exchanges: list[ChatExchange] = field(default_factory=list)
    comparison: Comparison | None = None


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _video_detail(source_id: str) -> Detail | None:
    job = VideoJob.objects.filter(id=source_id).first()
    if job is None:
        return None
    response = {
        "state": job.state,
        "upstream_task_id": job.upstream_task_id,
        "upstream_status": job.upstream_status,
        "progress": job.progress,
        "fail_reason": job.fail_reason,
        "notice": job.notice,
        "gateway_calls": job.gateway_calls,
        "submitted_at": _when(job.submitted_at),
        "ended_at": _when(job.ended_at),
        "finished_at": _when(job.finished_at),
        "video_size": job.video_size,
        "video_sha256": job.video_sha256,
    }
    return Detail(job.request_body, response, action=job.action, video=job)


def _image_detail(source_id: str) -> Detail | None:
    generation = Generation.objects.filter(id=source_id).first()
    if generation is None:
        return None
    images = list(GeneratedImage.objects.filter(generation=generation).order_by("index"))
    response = {
        "state": generation.state,
        "error": generation.error,
        "model": generation.response_model,
        "usage": {
            "generated_images": generation.generated_images,
            "total_tokens": generation.total_tokens,
        },
        "data": [
            {"size": image.size, "error": image.error, "stored": image.is_stored}
            for image in images
        ],
        "started_at": _when(generation.started_at),
        "finished_at": _when(generation.finished_at),
    }
    return Detail(generation.request_body, response, generation=generation, images=images)


def _chat_detail(source_id: str) -> Detail | None:
    conversation = Conversation.objects.filter(id=source_id).first()
    if conversation is None:
        return None
    exchanges = list(
        ChatExchange.objects.filter(conversation=conversation).order_by("created_at", "id")
    )
    request: dict[str, Any] = {}
    response: dict[str, Any] = {}
    if exchanges:
        latest = exchanges[-1]
        messages = (
            [ChatMessage(role="system", content=latest.system_prompt)]
            if latest.system_prompt
            else []
        )
        for earlier in exchanges[:-1]:
            if earlier.in_context:
                messages.append(ChatMessage(role="user", content=earlier.message))
                messages.append(ChatMessage(role="assistant", content=earlier.reply))
        messages.append(ChatMessage(role="user", content=latest.message))
        request = chat_payload(
            model=latest.model,
            messages=messages,
            temperature=latest.temperature,
            max_tokens=latest.max_tokens,
            top_p=latest.top_p,
            stream=True,
        )
        response = {
            "status": latest.status,
            "finish_reason": latest.finish_reason,
            "usage": {
                "prompt_tokens": latest.prompt_tokens,
                "completion_tokens": latest.completion_tokens,
                "total_tokens": latest.total_tokens,
            },
            "error": latest.error,
            "duration_ms": latest.duration_ms,
        }
    return Detail(request, response, conversation=conversation, exchanges=exchanges)


def _compare_detail(source_id: str) -> Detail | None:
    comparison = Comparison.objects.filter(id=source_id).first()
    if comparison is None:
        return None
    columns = list(comparison.columns.order_by("position"))
    request = {
        "prompt": comparison.prompt,
        "columns": [{"model": column.model, "params": column.params} for column in columns],
    }
    response = {
        "state": comparison.state,
        "columns": [
            {
                "model": column.model,
                "ttft_ms": column.ttft_ms,
                "total_ms": column.total_ms,
                "tokens": column.tokens,
                "tokens_per_second": column.tokens_per_second,
            }
            for column in columns
        ],
    }
    return Detail(request, response, comparison=comparison)


def item_detail(*, item: Item) -> Detail | None:
    """The source of an item; None when it was deleted since (the history row stays)."""
    if item.kind == Item.Kind.COMPARE:
        return _compare_detail(item.source_id)
    if item.kind == Item.Kind.VIDEO:
        return _video_detail(item.source_id)
    if item.kind == Item.Kind.IMAGE:
        return _image_detail(item.source_id)
    return _chat_detail(item.source_id)


@dataclass(frozen=True)
class Texts:
    """What an item was asked with, for "Save as prompt"."""

    prompt: str  # an image or video request's prompt, or a chat's first message
    system_prompt: str = ""  # a chat's


def item_texts(*, item: Item) -> Texts | None:
    """The item's prompt (and a chat's system prompt); None when its source was deleted."""
    if item.kind == Item.Kind.VIDEO:
        video = VideoJob.objects.filter(id=item.source_id).values_list("prompt", flat=True)
        prompt = video.first()
        return None if prompt is None else Texts(prompt)
    if item.kind == Item.Kind.IMAGE:
        image = Generation.objects.filter(id=item.source_id).values_list("prompt", flat=True)
        prompt = image.first()
        return None if prompt is None else Texts(prompt)
    conversation = Conversation.objects.filter(id=item.source_id).only("system_prompt").first()
    if conversation is None:
        return None
    first = (
        ChatExchange.objects.filter(conversation=conversation)
        .order_by("created_at", "id")
        .values_list("message", flat=True)
        .first()
    )
    return Texts(first or "", conversation.system_prompt)
