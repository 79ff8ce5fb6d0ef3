from __future__ import annotations

import statistics
from uuid import UUID

from django.db.models import QuerySet

from playground.videos.models import VideoJob

HISTORY_SIZE = 20


def video_job_get(*, job_id: UUID) -> VideoJob | None:
    return VideoJob.objects.select_related("user").filter(id=job_id).first()


def video_job_list(*, limit: int = 20) -> QuerySet[VideoJob]:
    """The team's most recent jobs, everyone's: the history is shared."""
    return VideoJob.objects.select_related("user").defer("params", "request_body")[:limit]


def video_jobs_active(*, jobs: list[VideoJob]) -> bool:
    return any(not job.is_final for job in jobs)


def expected_duration(*, model: str) -> float | None:
    """How long this model's recent jobs took from submit to end upstream, in seconds (median),
    or None with no history yet."""
    rows = (
        VideoJob.objects.filter(
            model=model,
            state__in=(VideoJob.State.SUCCEEDED, VideoJob.State.ARCHIVING),
            ended_at__isnull=False,
            submitted_at__isnull=False,
        )
        .order_by("-ended_at")
        .values_list("submitted_at", "ended_at")[:HISTORY_SIZE]
    )
    durations = [
        (ended - submitted).total_seconds() for submitted, ended in rows if ended and submitted
    ]
    return statistics.median(durations) if durations else None
