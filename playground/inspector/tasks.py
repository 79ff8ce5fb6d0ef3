"""Celery tasks: each wakes one service function and nothing more."""

from __future__ import annotations

from celery import shared_task

from playground.inspector import services


@shared_task(name="inspector.prune")
def prune_exchanges() -> None:
    services.exchange_prune()
