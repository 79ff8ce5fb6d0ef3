"""Wakes a video job's worker. The broker only wakes work up: if a message is lost, the sweeper
finds the job by its due time in the database and wakes it again."""

from __future__ import annotations

from uuid import UUID

from playground.celery import app

ADVANCE = "videos.advance"
ADVANCE_MANY = "videos.advance_many"
SWEEP = "videos.sweep"


# Lower runs first (on Redis; the local filesystem broker keeps plain order).
URGENT, BACKGROUND = 0, 9


def job_wake(job_id: UUID, *, due: float | None = None, background: bool = False) -> None:
    """Asks a worker to take the job's next step; `due` is when it was scheduled (unix).
    Background steps (downloads) wait behind every poll and submit already queued."""
    app.send_task(
        ADVANCE,
        args=[str(job_id)],
        kwargs={"due": due},
        priority=BACKGROUND if background else URGENT,
    )


def jobs_wake(due: list[tuple[UUID, float | None]]) -> None:
    """Wakes many jobs in one message: when hundreds come due together, one message each
    would spend more of the worker on messages than on polls."""
    batch = [(str(job_id), when) for job_id, when in due]
    app.send_task(ADVANCE_MANY, args=[batch], priority=URGENT)
