"""Wakes a video job's worker. The broker only wakes work up: if a message is lost, the sweeper
finds the job by its due time in the database and wakes it again."""

from __future__ import annotations

from uuid import UUID

from playground.celery import app

ADVANCE = "videos.advance"
ADVANCE_MANY = "videos.advance_many"
SWEEP = "videos.sweep"


# Lower runs first (on Redis; the local filesystem broker keeps plain order). A poll is due at a
# moment chosen to catch its job as it ends; a submit has no such moment, so a burst of new jobs
# waits behind the polls already due, and downloads wait behind both. (Redis's priority steps
# are 0, 3, 6 and 9.)
POLL, SUBMIT, DOWNLOAD = 0, 3, 9


def job_wake(job_id: UUID, *, due: float | None = None, priority: int = POLL) -> None:
    """Asks a worker to take the job's next step; `due` is when it was scheduled (unix)."""
    app.send_task(ADVANCE, args=[str(job_id)], kwargs={"due": due}, priority=priority)


def jobs_wake(due: list[tuple[UUID, float | None]], *, priority: int = POLL) -> None:
    """Wakes many jobs in one message: when hundreds come due together, one message each
    would spend more of the worker on messages than on polls."""
    batch = [(str(job_id), when) for job_id, when in due]
    app.send_task(ADVANCE_MANY, args=[batch], priority=priority)
