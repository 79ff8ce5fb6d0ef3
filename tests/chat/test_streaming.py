"""The answer streamed over SSE by the live (threaded) server, read with `requests`."""

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from django.urls import reverse

from playground.chat.models import ChatExchange
from tests.chat.conftest import LiveSession
from tests.conftest import Simulator

pytestmark = pytest.mark.django_db(transaction=True)

FORM = {
    "model": "gpt-4o-mini",
    "system_prompt": "",
    "temperature": "0.7",
    "top_p": "1",
    "max_tokens": "1024",
}
Status = ChatExchange.Status


def sse_events(response: requests.Response) -> Iterator[tuple[str, dict[str, Any]]]:
    name = ""
    # One byte at a time: a bigger chunk would wait for more bytes than a piece has.
    for line in response.iter_lines(chunk_size=1, decode_unicode=True):
        if line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: "):
            yield name, json.loads(line.removeprefix("data: "))


def start(session: LiveSession, message: str, **form: str) -> ChatExchange:
    response = session.post(
        reverse("chat:send"), FORM | form | {"message": message}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200, response.text
    return ChatExchange.objects.latest("id")


def open_stream(session: LiveSession, exchange: ChatExchange) -> requests.Response:
    return session.get(reverse("chat:stream", args=[exchange.id]), stream=True, timeout=20)


def wait_for(exchange: ChatExchange, *statuses: str, timeout: float = 10) -> ChatExchange:
    deadline = time.monotonic() + timeout
    while True:
        exchange.refresh_from_db()
        if exchange.status in statuses:
            return exchange
        assert time.monotonic() < deadline, f"still {exchange.status}"
        time.sleep(0.05)


class TestStreaming:
    def test_pieces_arrive_in_order_and_the_saved_answer_is_all_of_them(
        self, live_session: LiveSession, team_key: str
    ) -> None:
        exchange = start(live_session, "Stream me")
        with open_stream(live_session, exchange) as response:
            assert response.headers["Content-Type"] == "text/event-stream"
            events = list(sse_events(response))
        names = [name for name, _ in events]
        assert names[-1] == "done"
        assert set(names[:-1]) == {"delta"}
        assert len(names) > 3, "several pieces, not one"
        exchange.refresh_from_db()
        assert exchange.status == Status.DONE
        assert exchange.reply == "".join(data["text"] for name, data in events[:-1])
        assert exchange.reply.startswith('Simulated reply from gpt-4o-mini: you said "Stream me"')
        assert exchange.prompt_tokens
        assert exchange.completion_tokens
        assert exchange.total_tokens == exchange.prompt_tokens + exchange.completion_tokens
        done = events[-1][1]
        assert f'id="exchange-{exchange.id}"' in done["html"]
        assert f"= {exchange.total_tokens} tokens" in done["html"]
        assert f"This chat so far: {exchange.prompt_tokens} prompt" in done["totals"]

    def test_text_arrives_before_the_answer_ends(
        self, live_session: LiveSession, team_key: str, sim: Simulator
    ) -> None:
        sim.configure(stream_delay_ms=100)
        exchange = start(live_session, "slow please")
        started = time.monotonic()
        with open_stream(live_session, exchange) as response:
            events = sse_events(response)
            name, _ = next(events)
            first = time.monotonic() - started
            rest = list(events)
        total = time.monotonic() - started
        assert name == "delta"
        assert first < total / 3, (first, total)
        assert rest[-1][0] == "done"

    def test_stop_keeps_the_partial_answer(
        self, live_session: LiveSession, team_key: str, sim: Simulator, settings: Any
    ) -> None:
        settings.CHAT_STOP_POLL_SECONDS = 0.05
        sim.configure(stream_delay_ms=50)
        exchange = start(live_session, "long " * 300)
        with open_stream(live_session, exchange) as response:
            events = sse_events(response)
            received = [next(events), next(events)]
            stop = live_session.post(
                reverse("chat:stop", args=[exchange.id]), headers={"HX-Request": "true"}
            )
            assert stop.status_code == 204
            received += list(events)
        assert received[-1][0] == "done"
        assert "Stopped: the answer was cut off" in received[-1][1]["html"]
        exchange.refresh_from_db()
        assert exchange.status == Status.STOPPED
        assert exchange.reply == "".join(d["text"] for n, d in received if n == "delta")
        assert 0 < len(exchange.reply.split()) < 100

    @pytest.mark.parametrize(
        ("marker", "status", "finish", "words"),
        [
            ("[fault:stream-error]", Status.FAILED, "", "in the middle of the answer"),
            ("[fault:content-filter]", Status.DONE, "content_filter", "content filter stopped"),
        ],
    )
    def test_an_ending_that_is_not_a_full_answer_is_shown_and_saved(
        self, live_session: LiveSession, team_key: str, marker, status, finish, words
    ) -> None:
        exchange = start(live_session, f"Hello {marker}")
        with open_stream(live_session, exchange) as response:
            events = list(sse_events(response))
        assert words in events[-1][1]["html"]
        exchange.refresh_from_db()
        assert (exchange.status, exchange.finish_reason) == (status, finish)
        assert exchange.reply, "what arrived is kept"
        assert words in exchange.note

    def test_a_length_finish_is_shown_and_saved(self, live_session, team_key: str) -> None:
        exchange = start(live_session, "Hello", max_tokens="5")
        with open_stream(live_session, exchange) as response:
            events = list(sse_events(response))
        assert "reached the max tokens limit (5)" in events[-1][1]["html"]
        exchange.refresh_from_db()
        assert exchange.finish_reason == "length"
        assert len(exchange.reply.split()) == 5

    def test_the_answer_is_saved_when_the_browser_goes_away(
        self, live_session: LiveSession, team_key: str, sim: Simulator
    ) -> None:
        sim.configure(stream_delay_ms=20)
        exchange = start(live_session, "bye " * 150)
        with open_stream(live_session, exchange) as response:
            events = sse_events(response)
            next(events)
            next(events)
        # The socket is closed here, mid-answer; the server must finish without a reader.
        exchange = wait_for(exchange, Status.DONE, Status.FAILED, timeout=15)
        assert exchange.status == Status.DONE
        assert exchange.reply.endswith("so no model was asked.")
        assert exchange.total_tokens

    def test_a_second_reader_waits_for_the_answer_then_gets_it(
        self, live_session: LiveSession, team_key: str, sim: Simulator
    ) -> None:
        sim.configure(stream_delay_ms=20)
        exchange = start(live_session, "twice")
        with open_stream(live_session, exchange) as first:
            next(sse_events(first))
            with open_stream(live_session, exchange) as second:
                events = list(sse_events(second))
        assert [name for name, _ in events] == ["done"]
        assert "so no model was asked." in events[0][1]["html"]

    def test_a_teammates_page_loads_while_a_stream_is_open(
        self, live_server: Any, live_session: LiveSession, team_key: str, sim: Simulator
    ) -> None:
        from tests.factories import UserFactory

        sim.configure(stream_delay_ms=100)
        exchange = start(live_session, "hold the line " * 20)
        teammate = LiveSession(live_server.url, UserFactory.create(username="tess"))
        with open_stream(live_session, exchange) as response:
            next(sse_events(response))
            started = time.monotonic()
            page = teammate.get(reverse("chat:page"))
            took = time.monotonic() - started
            assert page.status_code == 200
            assert took < 1.0
            exchange.refresh_from_db()
            assert exchange.status == Status.STREAMING, "the stream was still open"
