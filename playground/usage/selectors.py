"""Reads of the team's usage, counted from the chat, image and video tables.

Every report is a fixed number of aggregate queries (TruncDate + values + annotate), whatever
the period or the number of users."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_noop

from playground.accounts.models import User
from playground.chat.models import ChatExchange
from playground.images.models import Generation
from playground.usage.models import Kind, Quota
from playground.videos.models import VideoJob

VideoState = VideoJob.State
# A video job that ended here without the gateway ever taking it (refused, cancelled while
# queued) cost nothing, so it does not count against a daily limit.
NEVER_SENT = Q(state__in=[VideoState.FAILED, VideoState.CANCELLED], upstream_task_id="")
# A fork copies the finished exchanges, tokens and all, into a new conversation in the same
# transaction: those copies were not asked of the gateway again, so they count once, where
# they were first sent. (The copies carry no mark of their own; they are the exchanges made
# within seconds of their forked conversation, before anyone could send a message in it.)
FORK_COPY = Q(
    conversation__forked_from__isnull=False,
    created_at__lt=F("conversation__created_at") + timedelta(seconds=5),
)


def day_start(day: date) -> datetime:
    """Midnight at the start of `day`, in the playground's time zone (TIME_ZONE)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def today() -> date:
    return timezone.localdate()


def next_reset(now: datetime | None = None) -> datetime:
    """When today's counts start again from zero: the next midnight in TIME_ZONE."""
    now = now or timezone.now()
    return day_start(timezone.localdate(now) + timedelta(days=1))


# -- Today, per user, for the daily limits ------------------------------------------------------


def used_today(*, user: User, kind: Kind, now: datetime | None = None) -> int:
    """What `user` has used of `kind` since midnight (one query)."""
    since = day_start(timezone.localdate(now or timezone.now()))
    return used_since(since=since, users=[user.pk], kinds=[kind])[user.pk][kind]


def used_since(
    *, since: datetime, users: list[int] | None = None, kinds: Collection[Kind] = tuple(Kind)
) -> dict[int, dict[Kind, int]]:
    """Per user: chat tokens (prompt + completion) of exchanges, images the gateway reported
    generating, and video jobs created since `since`, except those never sent. One query per
    kind asked for."""
    totals: dict[int, dict[Kind, int]] = defaultdict(lambda: dict.fromkeys(Kind, 0))
    where = Q(created_at__gte=since) & (Q(user_id__in=users) if users is not None else Q())
    if Kind.CHAT_TOKENS in kinds:
        chat = ChatExchange.objects.filter(where).exclude(FORK_COPY).order_by()
        for user_id, prompt, completion in chat.values_list("user_id").annotate(
            Sum("prompt_tokens"), Sum("completion_tokens")
        ):
            totals[user_id][Kind.CHAT_TOKENS] = (prompt or 0) + (completion or 0)
    if Kind.IMAGES in kinds:
        images = Generation.objects.filter(where).order_by().values_list("user_id")
        for user_id, n in images.annotate(Sum("generated_images")):
            totals[user_id][Kind.IMAGES] = n or 0
    if Kind.VIDEO_JOBS in kinds:
        jobs = VideoJob.objects.filter(where).exclude(NEVER_SENT).order_by()
        for user_id, n in jobs.values_list("user_id").annotate(Count("id")):
            totals[user_id][Kind.VIDEO_JOBS] = n
    return totals


@dataclass(frozen=True)
class QuotaRow:
    """A user on the daily-limits page: their limits and what they used today."""

    user: User
    quota: Quota
    used: dict[Kind, int]

    @property
    def cells(self) -> list[tuple[Kind, int | None, int]]:
        return [(kind, self.quota.limit(kind), self.used[kind]) for kind in Kind]


def quota_rows() -> list[QuotaRow]:
    """Every active user with their limits and today's use: five queries in all."""
    users = list(User.objects.filter(is_active=True).order_by("username"))
    quotas = {quota.user_id: quota for quota in Quota.objects.all()}
    used = used_since(since=day_start(today()))
    return [
        QuotaRow(user=user, quota=quotas.get(user.pk) or Quota(user=user), used=used[user.pk])
        for user in users
    ]


def quota_get(*, user: User) -> Quota:
    """The user's limits; an unsaved, unlimited Quota when none were ever set."""
    return Quota.objects.filter(user=user).first() or Quota(user=user)


# -- The dashboard -------------------------------------------------------------------------------


@dataclass
class DayUsage:
    """One user's use on one day."""

    day: date
    username: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    images: int = 0
    video_jobs: int = 0
    video_seconds: int = 0

    @property
    def chat_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass
class ModelUsage:
    """A video model over the period: jobs made, jobs that succeeded, seconds of video."""

    model: str
    jobs: int = 0
    succeeded: int = 0
    seconds: int = 0


@dataclass(frozen=True)
class Failure:
    kind: str  # "Chat", "Images", "Videos"
    reason: str
    count: int


@dataclass
class UsageReport:
    start: date
    end: date
    rows: list[DayUsage] = field(default_factory=list)  # by day, then user
    models: list[ModelUsage] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    @property
    def usernames(self) -> list[str]:
        return sorted({row.username for row in self.rows})

    @property
    def totals(self) -> DayUsage:
        total = DayUsage(day=self.end, username="")
        for row in self.rows:
            total.prompt_tokens += row.prompt_tokens
            total.completion_tokens += row.completion_tokens
            total.images += row.images
            total.video_jobs += row.video_jobs
            total.video_seconds += row.video_seconds
        return total


def _seconds(duration: str | None) -> int:
    """A job's requested duration as the form saved it (5, "5", "10"); 0 when missing."""
    try:
        return int(float(duration or 0))
    except ValueError:
        return 0


SENTENCE_END = re.compile(r"(?<=[.!?])\s|:\s")


def failure_reason(text: str) -> str:
    """What failures are grouped by: the first sentence (or the part before a colon, which is
    where the gateway's messages put the code), at most 120 characters."""
    first = SENTENCE_END.split(text.strip(), maxsplit=1)[0].strip().rstrip(".")
    return (first[:117] + "…") if len(first) > 120 else first or gettext_noop("No reason given")


def usage_report(*, start: date, end: date) -> UsageReport:
    """The team's use per user and day from `start` to `end` (both included), video jobs by
    model, and failures by reason: six queries, whatever the period."""
    report = UsageReport(start=start, end=end)
    where = Q(created_at__gte=day_start(start), created_at__lt=day_start(end + timedelta(days=1)))
    cells: dict[tuple[date, str], DayUsage] = {}

    def cell(row: Mapping[str, Any]) -> DayUsage:
        day: date = row["day"]
        username: str = row["user__username"]
        if (day, username) not in cells:
            cells[(day, username)] = DayUsage(day=day, username=username)
        return cells[(day, username)]

    by_day = ("day", "user__username")
    chat = ChatExchange.objects.filter(where).exclude(FORK_COPY)
    chat = chat.annotate(day=TruncDate("created_at"))
    for row in (
        chat.order_by()
        .values(*by_day)
        .annotate(prompt=Sum("prompt_tokens"), completion=Sum("completion_tokens"))
    ):
        cell(row).prompt_tokens += row["prompt"] or 0
        cell(row).completion_tokens += row["completion"] or 0

    images = Generation.objects.filter(where).annotate(day=TruncDate("created_at"))
    for row in images.order_by().values(*by_day).annotate(n=Sum("generated_images")):
        cell(row).images += row["n"] or 0

    models: dict[str, ModelUsage] = {}
    jobs = VideoJob.objects.filter(where).annotate(
        day=TruncDate("created_at"), duration=KeyTextTransform("duration", "params")
    )
    succeeded = Q(state=VideoState.SUCCEEDED)
    # Grouped by the requested duration too (a handful of values), summed here: a duration is
    # saved as a number or as text depending on the provider, which SQL would not cast alike.
    for row in (
        jobs.order_by()
        .values(*by_day, "model", "duration")
        .annotate(n=Count("id"), ok=Count("id", filter=succeeded))
    ):
        seconds = _seconds(row["duration"]) * row["ok"]
        day = cell(row)
        day.video_jobs += row["n"]
        day.video_seconds += seconds
        model = models.setdefault(row["model"], ModelUsage(model=row["model"]))
        model.jobs += row["n"]
        model.succeeded += row["ok"]
        model.seconds += seconds

    report.rows = sorted(cells.values(), key=lambda row: (row.day, row.username))
    report.models = sorted(models.values(), key=lambda model: (-model.jobs, model.model))
    report.failures = _failures(where)
    return report


def _failures(where: Q) -> list[Failure]:
    """Failed chat answers, image requests and video jobs, grouped by reason (three queries)."""
    failed_images = [Generation.State.FAILED, Generation.State.UNKNOWN]
    failed_jobs = [VideoState.FAILED, VideoState.UNKNOWN]
    sources = {
        "Chat": ChatExchange.objects.filter(where, status=ChatExchange.Status.FAILED)
        .exclude(FORK_COPY)
        .order_by()
        .values_list("error")
        .annotate(n=Count("pk")),
        "Images": Generation.objects.filter(where, state__in=failed_images)
        .order_by()
        .values_list("error")
        .annotate(n=Count("pk")),
        "Videos": VideoJob.objects.filter(where, state__in=failed_jobs)
        .order_by()
        .values_list("fail_reason")
        .annotate(n=Count("pk")),
    }
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for kind, rows in sources.items():
        for text, n in rows:
            counts[(kind, failure_reason(text))] += n
    return sorted(
        (Failure(kind=kind, reason=reason, count=n) for (kind, reason), n in counts.items()),
        key=lambda failure: (-failure.count, failure.kind, failure.reason),
    )
