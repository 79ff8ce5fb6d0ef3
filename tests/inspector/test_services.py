"""The inspector's records of real chat, image and video flows against the simulator, the size
cap, the cap on a video job's polls, and retention."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from playground.accounts.models import User
from playground.chat import streaming
from playground.chat.models import ChatExchange
from playground.chat.selectors import answering_get
from playground.chat.services import ChatSettings, chat_send, exchange_run, exchange_stream
from playground.gateway.trace import Call, Event, Trace
from playground.images.services import generation_create, generation_run
from playground.inspector import services
from playground.inspector.models import Exchange
from playground.inspector.services import exchange_prune, exchange_record
from playground.inspector.tasks import prune_exchanges
from playground.videos.models import VideoJob
from playground.videos.services import video_job_advance
from tests.conftest import Simulator
from tests.images.factories import params
from tests.inspector.conftest import received
from tests.inspector.factories import GatewayExchangeFactory
from tests.videos.factories import VideoJobFactory

CHAT = ChatSettings(
    model="gpt-4o-mini", system_prompt="Be brief.", temperature=0.5, top_p=1.0, max_tokens=64
)


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VIDEO_CALLBACKS = False  # nothing here listens for Kling's callbacks


def chat(user: User, message: str = "Tell me about owls") -> ChatExchange:
    exchange = chat_send(user=user, conversation=None, chat_settings=CHAT, message=message)
    return exchange_run(exchange_id=exchange.id)


def records(kind: str, source_id: object) -> list[Exchange]:
    return list(Exchange.objects.filter(kind=kind, source_id=str(source_id)).order_by("id"))


class TestChat:
    def test_the_recorded_request_equals_what_the_simulator_received(
        self, user: User, team_key: str, sim: Simulator
    ) -> None:
        exchange = chat(user)

        [record] = records("chat", exchange.id)
        [entry] = received(sim, "chat")
        assert (record.method, record.path) == (entry["method"], entry["path"])
        assert json.loads(record.request_body) == entry["body"]
        assert record.status == entry["status"] == 200
        assert record.request_headers["Authorization"] == "Bearer [redacted]"

    def test_the_stream_is_kept_event_by_event_with_offsets(
        self, user: User, team_key: str
    ) -> None:
        exchange = chat(user)

        [record] = records("chat", exchange.id)
        assert record.stream
        assert record.events[-1]["data"] == "data: [DONE]"
        contents = [
            json.loads(e["data"].removeprefix("data: "))["choices"][0]["delta"].get("content")
            for e in record.events[:-1]
            if json.loads(e["data"].removeprefix("data: "))["choices"]
        ]
        assert "".join(c for c in contents if c) == exchange.reply
        offsets = [event["offset_ms"] for event in record.events]
        assert offsets == sorted(offsets)
        assert record.first_byte_ms is not None
        assert record.first_token_ms is not None
        assert record.last_byte_ms is not None
        assert record.first_byte_ms <= record.first_token_ms <= record.last_byte_ms

    def test_a_retry_is_recorded_with_its_reason_and_wait(
        self, user: User, team_key: str, sim: Simulator
    ) -> None:
        sim.configure(retry_after=0)

        exchange = chat(user, "Tell me about owls [fault:429]")

        # The marker is in the message, so every attempt gets the 429: all of them are kept.
        [record] = records("chat", exchange.id)
        assert [attempt["status"] for attempt in record.attempts] == [429, 429, 429, 429]
        assert len(received(sim, "chat")) == 4
        first = record.attempts[0]
        assert first["outcome"].startswith("GatewayRateLimitError: The gateway is rate-limiting")
        assert [attempt["retry_after_s"] for attempt in record.attempts] == [0, 0, 0, 0]
        assert [attempt["wait_s"] for attempt in record.attempts] == [0, 0, 0, None]
        assert record.error == exchange.error != ""

    def test_a_retry_after_too_long_to_wait_is_recorded_as_not_retried(
        self, user: User, team_key: str, sim: Simulator
    ) -> None:
        sim.configure(retry_after=60)

        exchange = chat(user, "Tell me about owls [fault:429]")

        [record] = records("chat", exchange.id)
        [attempt] = record.attempts
        assert (attempt["status"], attempt["retry_after_s"], attempt["wait_s"]) == (429, 60, None)
        assert record.error == exchange.error

    def test_a_retry_then_an_answer_shows_both_attempts(
        self, user: User, team_key: str, sim: Simulator
    ) -> None:
        sim.configure(fault="503", fault_times=1, fault_routes="chat")

        exchange = chat(user)

        [record] = records("chat", exchange.id)
        first, second = record.attempts
        assert (first["status"], second["status"]) == (503, 200)
        assert first["outcome"].startswith("GatewayUnavailableError")
        assert first["wait_s"] is not None
        assert second["sent_ms"] >= first["sent_ms"] + first["duration_ms"]
        assert second["outcome"] == "answered"
        assert exchange.status == ChatExchange.Status.DONE

    def test_an_answer_finished_in_another_thread_is_recorded(
        self, user: User, team_key: str, transactional_db: None
    ) -> None:
        exchange = chat_send(user=user, conversation=None, chat_settings=CHAT, message="Hi")
        answering = answering_get(exchange_id=exchange.id)
        assert answering is not None
        pieces = exchange_stream(answering=answering)
        next(pieces)  # the browser read the first piece here, then went away

        streaming.finish_in_background(pieces).join(10)

        [record] = records("chat", exchange.id)
        assert record.events[-1]["data"] == "data: [DONE]"
        assert record.last_byte_ms is not None

    def test_a_regenerated_answer_is_a_second_record(self, user: User, team_key: str) -> None:
        from playground.chat.services import exchange_regenerate

        exchange = chat(user)
        regenerated = exchange_regenerate(user=user, conversation=exchange.conversation)
        assert regenerated is not None
        exchange_run(exchange_id=regenerated.id)

        assert len(records("chat", exchange.id)) == 2


class TestImages:
    def test_the_recorded_request_equals_what_the_simulator_received(
        self, user: User, team_key: str, sim: Simulator
    ) -> None:
        generation, _ = generation_create(user=user, params=params(size="2K"))
        generation_run(generation=generation)

        [record] = records("image", generation.id)
        [entry] = received(sim, "images")
        assert (record.method, record.path) == (entry["method"], entry["path"])
        assert json.loads(record.request_body) == entry["body"]
        assert record.status == 200
        assert json.loads(record.response_body)["data"]
        assert not record.stream

    def test_the_image_downloads_are_not_recorded(self, user: User, team_key: str) -> None:
        generation, _ = generation_create(user=user, params=params())
        generation_run(generation=generation)

        assert [record.method for record in records("image", generation.id)] == ["POST"]


class TestVideos:
    def test_the_submit_and_the_polls_are_recorded(
        self, user: User, team_key: str, sim: Simulator
    ) -> None:
        job = VideoJobFactory.create(user=user)

        video_job_advance(job_id=job.id)  # the submit
        video_job_advance(job_id=job.id)  # a poll

        submit, poll = records("video", job.id)
        create, query = received(sim, "seedance.create"), received(sim, "seedance.query")
        assert (submit.method, submit.path) == ("POST", create[0]["path"])
        assert json.loads(submit.request_body) == create[0]["body"]
        assert (poll.method, poll.path, poll.request_body) == ("GET", query[0]["path"], "")
        assert poll.status == query[0]["status"] == 200

    def test_only_the_first_and_last_polls_of_a_job_are_kept(
        self, user: User, team_key: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr("playground.videos.services.job_wake", lambda *a, **k: None)
        monkeypatch.setattr(services, "FIRST_POLLS_KEPT", 2)
        monkeypatch.setattr(services, "LAST_POLLS_KEPT", 3)
        job = VideoJobFactory.create(user=user)
        video_job_advance(job_id=job.id)
        polls = []
        for _ in range(8):
            VideoJob.objects.filter(id=job.id).update(state=VideoJob.State.RUNNING)
            video_job_advance(job_id=job.id)
            polls.append(records("video", job.id)[-1].id)

        kept = [record.id for record in records("video", job.id) if record.method == "GET"]
        assert kept == polls[:2] + polls[-3:]
        assert [record.method for record in records("video", job.id)].count("POST") == 1


class TestTheKey:
    def test_the_key_appears_nowhere_in_the_inspectors_records(
        self, user: User, team_key: str, sim: Simulator
    ) -> None:
        chat(user)
        chat(user, "Owls again [fault:503]")
        generation, _ = generation_create(
            user=user, params=params(response_format="b64_json", size="2K")
        )
        generation_run(generation=generation)
        job = VideoJobFactory.create(user=user)
        video_job_advance(job_id=job.id)
        video_job_advance(job_id=job.id)

        rows = list(Exchange.objects.values())  # every column of every row
        assert {row["kind"] for row in rows} == {"chat", "image", "video"}
        dumped = json.dumps(rows, default=str)
        assert team_key not in dumped
        assert team_key.removeprefix("sk-") not in dumped
        assert "Bearer [redacted]" in dumped


def call(*, request: str = "", response: str = "", events: int = 0) -> Call:
    recorded = Call(
        "POST", "http://gateway/v1/x", request, stream=bool(events), sent_at=timezone.now()
    )
    recorded.response_body = response
    recorded.events = [Event(offset_ms=n, data=f"data: {n:04d}") for n in range(events)]
    return recorded


class TestTheSizeCap:
    def test_a_small_call_is_kept_whole(self, db: None) -> None:
        [record] = exchange_record(
            kind="chat", source_id=1, trace=Trace([call(request="{}", response="ok", events=3)])
        )

        assert (record.request_body, record.response_body, len(record.events)) == ("{}", "ok", 3)
        assert not record.request_cut
        assert not record.response_cut
        assert record.events_dropped == 0

    def test_the_texts_are_cut_to_the_cap(self, settings: Any, db: None) -> None:
        settings.INSPECTOR_MAX_BYTES = 1000

        [record] = exchange_record(
            kind="image", source_id=1, trace=Trace([call(request="q" * 800, response="a" * 900)])
        )

        assert len(record.request_body) == 500
        assert len(record.response_body) == 500
        assert record.request_cut
        assert record.response_cut
        assert (record.request_bytes, record.response_bytes) == (800, 900)

    def test_a_long_stream_keeps_its_first_and_last_events(self, settings: Any, db: None) -> None:
        settings.INSPECTOR_MAX_BYTES = 20 * (10 + services.EVENT_OVERHEAD)

        [record] = exchange_record(kind="chat", source_id=1, trace=Trace([call(events=100)]))

        data = [event["data"] for event in record.events]
        assert len(data) == 20
        assert data[:3] == ["data: 0000", "data: 0001", "data: 0002"]
        assert data[-1] == "data: 0099"
        assert record.events_dropped == 80

    def test_an_empty_trace_records_nothing(self, db: None) -> None:
        assert exchange_record(kind="chat", source_id=1, trace=Trace()) == []
        assert not Exchange.objects.exists()


class TestRetention:
    def test_prune_drops_what_is_older_than_the_retention_and_keeps_the_rest(
        self, settings: Any, db: None
    ) -> None:
        settings.INSPECTOR_RETENTION_DAYS = 7
        old, new = GatewayExchangeFactory.create(), GatewayExchangeFactory.create()
        Exchange.objects.filter(id=old.id).update(created_at=timezone.now() - timedelta(days=8))
        Exchange.objects.filter(id=new.id).update(created_at=timezone.now() - timedelta(days=6))

        assert exchange_prune() == 1

        assert list(Exchange.objects.values_list("id", flat=True)) == [new.id]

    def test_the_beat_task_prunes(self, settings: Any, db: None) -> None:
        old = GatewayExchangeFactory.create()
        Exchange.objects.filter(id=old.id).update(created_at=timezone.now() - timedelta(days=30))

        prune_exchanges()

        assert not Exchange.objects.exists()

    def test_beat_runs_the_prune(self, settings: Any) -> None:
        tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
        assert "inspector.prune" in tasks
