"""Celery tasks: each wakes one service function and nothing more."""

from __future__ import annotations

from celery import shared_task

from playground.compare import services


@shared_task(name="compare.sweep")
def sweep_comparisons() -> None:
    services.comparison_sweep()
