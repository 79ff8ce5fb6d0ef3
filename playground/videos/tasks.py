"""Celery tasks: each wakes one service function and nothing more."""

from __future__ import annotations

from celery import shared_task

from playground.videos import services
from playground.videos.queue import ADVANCE, ADVANCE_MANY, SWEEP


@shared_task(name=ADVANCE)
def advance_job(job_id: str, due: float | None = None) -> None:
    services.video_job_advance(job_id=job_id, due=due)


@shared_task(name=ADVANCE_MANY)
def advance_jobs(due: list[tuple[str, float | None]]) -> None:
    services.video_jobs_advance(due=due)


@shared_task(name=SWEEP)
def sweep_jobs() -> None:
    services.video_job_sweep()
