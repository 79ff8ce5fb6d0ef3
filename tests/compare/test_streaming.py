"""Three chat columns streamed at once over SSE by the live (threaded) server, as the compare
page's three EventSources read them."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
import requests
from django.urls import reverse

from playground.chat.models import ChatExchange
from playground.compare.models import Column, Comparison
from tests.chat.conftest import LiveSession
from tests.chat.test_streaming import sse_events
from tests.conftest import Simulator

pytestmark = pytest.mark.django_db(transaction=True)


def row(n: int, **changes: str) -> dict[str, str]:
    values = {"model": f"model-{n}", "system_prompt": "", "temperature": "0.7", "top_p": "1"}
    values |= {"max_tokens": "256"} | changes
    return {f"c{n}-{name}": value for name, value in values.items()}


def compare(session: LiveSession, *rows: dict[str, str]) -> Comparison:
    data = {
        "kind": "chat",
        "prompt": "Name an owl",
        "comparison_id": str(uuid.uuid4()),
    }
    for values in rows:
        data |= values
    response = session.post(reverse("compare:create"), data)
    assert response.status_code == 302, response.text
    return Comparison.objects.get()


def read_all_at_once(session: LiveSession, comparison: Comparison) -> dict[int, list[Any]]:
    events: dict[int, list[Any]] = {}
    barrier = threading.Barrier(comparison.columns.count())

    def read(column_id: int) -> None:
        barrier.wait(timeout=10)
        url = reverse("compare:stream", args=[column_id])
        response: requests.Response = session.get(url, stream=True, timeout=20)
        with response:
            assert response.headers["Content-Type"] == "text/event-stream"
            events[column_id] = list(sse_events(response))

    threads = [
        threading.Thread(target=read, args=[column.id]) for column in comparison.columns.all()
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return events


def test_three_columns_stream_at_once_and_each_records_its_figures(
    live_session: LiveSession, team_key: str, sim: Simulator
) -> None:
    sim.configure(stream_delay_ms=30)
    comparison = compare(live_session, row(1), row(2, temperature="1.5"), row(3))
    events = read_all_at_once(live_session, comparison)

    for column in Column.objects.filter(comparison=comparison).select_related("exchange"):
        received = events[column.id]
        assert received[-1][0] == "done"
        assert len(received) > 3, "several pieces, not one"
        assert column.exchange is not None
        assert column.exchange.status == ChatExchange.Status.DONE
        assert column.exchange.reply == "".join(data["text"] for _, data in received[:-1])
        assert column.ttft_ms is not None
        assert column.total_ms is not None
        assert column.tokens is not None
        assert 0 < column.ttft_ms < column.total_ms
        assert column.tokens > 0
        html = received[-1][1]["html"]
        assert f'id="column-{column.id}"' in html
        assert f"{column.ttft_ms} ms" in html
        assert f"{column.total_ms} ms" in html
        assert str(column.tokens_per_second) in html


def test_one_failing_column_shows_its_error_and_the_others_answer(
    live_session: LiveSession, team_key: str, sim: Simulator
) -> None:
    sim.configure(stream_delay_ms=30)
    comparison = compare(
        live_session, row(1), row(2, system_prompt="Be brief [fault:stream-error]"), row(3)
    )
    events = read_all_at_once(live_session, comparison)

    first, failed, third = Column.objects.filter(comparison=comparison).select_related("exchange")
    for column in (first, third):
        assert column.exchange is not None
        assert column.exchange.status == ChatExchange.Status.DONE
        assert column.tokens
    assert failed.exchange is not None
    assert failed.exchange.status == ChatExchange.Status.FAILED
    html = events[failed.id][-1][1]["html"]
    assert "in the middle of the answer" in html
    assert 'role="alert"' in html
    comparison.refresh_from_db()
    assert comparison.state == Comparison.State.DONE
