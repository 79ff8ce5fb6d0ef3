"""Beat's safety net for chat: no message is left waiting for an answer forever."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from playground.chat.models import ChatExchange
from playground.chat.services import exchange_sweep
from playground.chat.tasks import answer_exchange
from playground.history.models import Item
from tests.chat.factories import ExchangeFactory

Status = ChatExchange.Status


def aged(exchange: ChatExchange, seconds: float) -> ChatExchange:
    created = timezone.now() - timedelta(seconds=seconds)
    ChatExchange.objects.filter(id=exchange.id).update(created_at=created)
    return exchange


def test_a_message_whose_stream_never_opened_is_answered_by_a_worker(team_key: str) -> None:
    exchange = aged(ExchangeFactory.create(status=Status.PENDING, message="Anyone there?"), 60)

    unstarted, _ = exchange_sweep()
    for exchange_id in unstarted:
        answer_exchange(exchange_id)  # what the worker runs for each

    exchange.refresh_from_db()
    assert unstarted == [exchange.id]
    assert exchange.status == Status.DONE
    assert 'you said "Anyone there?"' in exchange.reply


def test_a_fresh_message_is_left_to_its_browser(db: Any) -> None:
    ExchangeFactory.create(status=Status.PENDING)

    assert exchange_sweep() == ([], 0)


def test_an_answer_still_running_past_the_deadline_is_failed_in_words(db: Any) -> None:
    exchange = aged(ExchangeFactory.create(status=Status.STREAMING), 3600)
    running = ExchangeFactory.create(status=Status.STREAMING)

    _, failed = exchange_sweep()

    exchange.refresh_from_db()
    running.refresh_from_db()
    assert failed == 1
    assert exchange.status == Status.FAILED
    assert "the server stopped while it was being written" in exchange.error
    assert running.status == Status.STREAMING
    item = Item.objects.get(kind="chat", source_id=str(exchange.conversation_id))
    assert (item.state, item.in_flight) == (Status.FAILED, False)  # the history shows it too
