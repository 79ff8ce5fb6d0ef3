"""Celery tasks: each wakes one service function and nothing more."""

from __future__ import annotations

from celery import shared_task

from playground.videos import services
from playground.videos.queue import ADVANCE, SWEEP


@shared_task(name=ADVANCE)
def advance_job(job_id: str, due: float | None = None) -> None:
    services.video_job_advance(job_id=job_id, due=due)


@shared_task(name=SWEEP)
def sweep_jobs() -> None:
    services.video_job_sweep()
