from __future__ import annotations

import statistics
from uuid import UUID

from django.conf import settings
from django.db.models import QuerySet

from playground.videos.models import VideoJob

HISTORY_SIZE = 20


def video_job_get(*, job_id: UUID) -> VideoJob | None:
    return VideoJob.objects.select_related("user").filter(id=job_id).first()


def video_job_list(*, limit: int = 20) -> QuerySet[VideoJob]:
    """The team's most recent jobs, everyone's: the history is shared."""
    return VideoJob.objects.select_related("user").defer("params", "request_body")[:limit]


def video_job_queue_place(*, job: VideoJob) -> int | None:
    """1 for the next job to start, when the team's cap keeps this one waiting; else None."""
    if job.state != VideoJob.State.QUEUED or not settings.VIDEO_TEAM_MAX_IN_FLIGHT:
        return None
    earlier = VideoJob.objects.filter(state=VideoJob.State.QUEUED, created_at__lt=job.created_at)
    return earlier.count() + 1


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
