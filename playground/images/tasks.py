"""Celery tasks: each wakes one service function and nothing more."""

from __future__ import annotations

from celery import shared_task

from playground.images import services


@shared_task(name="images.sweep")
def sweep_generations() -> None:
    services.generation_sweep()
