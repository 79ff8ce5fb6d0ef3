"""Celery tasks: each wakes one service function and nothing more."""

from __future__ import annotations

from celery import shared_task

from playground.chat import services


@shared_task(name="chat.answer")
def answer_exchange(exchange_id: int) -> None:
    services.exchange_run(exchange_id=exchange_id)


@shared_task(name="chat.sweep")
def sweep_exchanges() -> None:
    unstarted, _ = services.exchange_sweep()
    for exchange_id in unstarted:
        answer_exchange.delay(exchange_id)
