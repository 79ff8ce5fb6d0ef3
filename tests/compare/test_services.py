"""Comparisons made and run through the chat, image and video services, against the simulator."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection

from playground.accounts.models import User
from playground.chat.models import ChatExchange
from playground.compare.models import Column, Comparison
from playground.compare.services import (
    ColumnSpec,
    column_run,
    column_stream,
    comparison_create,
    comparison_refresh,
    comparison_rerun,
    comparison_sweep,
)
from playground.history.models import Item
from playground.images.models import Generation
from playground.usage.models import Quota
from playground.usage.services import QuotaExceeded
from playground.videos.models import VideoJob
from tests.conftest import Simulator
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

CHAT = {"system_prompt": "", "temperature": 0.7, "top_p": 1.0, "max_tokens": 256}


def chat_specs(*system_prompts: str) -> list[ColumnSpec]:
    return [
        ColumnSpec(model=f"model-{n}", params=CHAT | {"system_prompt": system})
        for n, system in enumerate(system_prompts, start=1)
    ]


def stream_concurrently(comparison: Comparison) -> tuple[dict[int, list[str]], float]:
    """Every column's stream in its own thread, all at once, as the page's EventSources do:
    the pieces of each, and the seconds the whole took."""
    pieces: dict[int, list[str]] = {}
    barrier = threading.Barrier(comparison.columns.count())

    def read(column_id: int) -> None:
        try:
            barrier.wait(timeout=10)
            pieces[column_id] = list(column_stream(column_id=column_id))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=read, args=[column.id]) for column in comparison.columns.all()
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return pieces, time.monotonic() - started


class TestChatColumns:
    def test_three_streams_run_at_once_and_each_records_its_figures(
        self, owner: User, team_key: str, sim: Simulator
    ) -> None:
        sim.configure(stream_delay_ms=40)
        comparison, created = comparison_create(
            user=owner, kind="chat", prompt="Name three owls", specs=chat_specs("", "", "")
        )
        assert created
        pieces, seconds = stream_concurrently(comparison)

        columns = list(comparison.columns.select_related("exchange"))
        assert len(columns) == 3
        for column in columns:
            assert column.exchange is not None
            assert column.exchange.status == ChatExchange.Status.DONE
            assert "".join(pieces[column.id]) == column.exchange.reply
            assert column.exchange.reply.startswith(f"Simulated reply from {column.model}")
            assert column.ttft_ms is not None
            assert column.ttft_ms > 0
            assert column.total_ms is not None
            assert column.total_ms > column.ttft_ms
            assert column.tokens is not None
            assert column.tokens == column.exchange.completion_tokens
            assert column.tokens > 0
            assert column.tokens_per_second is not None
            assert column.tokens_per_second > 0
        # At once, not one after the other: the three took little more than the slowest.
        one_after_another = sum(column.total_ms or 0 for column in columns) / 1000
        assert seconds < one_after_another * 0.7, (seconds, one_after_another)
        comparison.refresh_from_db()
        assert comparison.state == Comparison.State.DONE
        assert comparison.finished_at is not None

    def test_one_failing_column_does_not_stop_the_others(
        self, owner: User, team_key: str, sim: Simulator
    ) -> None:
        sim.configure(stream_delay_ms=20)
        comparison, _ = comparison_create(
            user=owner,
            kind="chat",
            prompt="Name three owls",
            specs=chat_specs("", "Be brief [fault:500]", ""),
        )
        stream_concurrently(comparison)

        first, failed, third = comparison.columns.select_related("exchange")
        for column in (first, third):
            assert column.exchange is not None
            assert column.exchange.status == ChatExchange.Status.DONE
            assert column.tokens
            assert column.tokens > 0
        assert failed.exchange is not None
        assert failed.exchange.status == ChatExchange.Status.FAILED
        assert failed.exchange.error, "the error, in words"
        assert "500" in failed.exchange.error or "gateway" in failed.exchange.error.lower()
        assert failed.ttft_ms is None, "no token came"
        assert failed.tokens is None
        comparison.refresh_from_db()
        assert comparison.state == Comparison.State.DONE, "two of three answered"

    def test_a_comparison_whose_every_column_failed_is_failed(
        self, owner: User, team_key: str
    ) -> None:
        comparison, _ = comparison_create(
            user=owner, kind="chat", prompt="Hi", specs=chat_specs("[fault:500]", "[fault:401]")
        )
        for column in comparison.columns.all():
            column_run(user=owner, column=column)
        comparison.refresh_from_db()
        assert comparison.state == Comparison.State.FAILED

    def test_each_column_is_a_conversation_of_its_own(self, owner: User, team_key: str) -> None:
        comparison, _ = comparison_create(
            user=owner, kind="chat", prompt="Hi there", specs=chat_specs("", "Be a pirate")
        )
        first, second = comparison.columns.select_related("exchange")
        assert first.exchange is not None
        assert second.exchange is not None
        assert first.exchange.conversation_id != second.exchange.conversation_id
        assert first.exchange.status == ChatExchange.Status.PENDING, "the page runs it"
        assert second.exchange.system_prompt == "Be a pirate"
        assert second.exchange.message == "Hi there"

    def test_a_stream_run_elsewhere_records_no_figures_here(
        self, owner: User, team_key: str
    ) -> None:
        comparison, _ = comparison_create(
            user=owner, kind="chat", prompt="Hi", specs=chat_specs("", "")
        )
        column = comparison.columns.first()
        assert column is not None
        assert column.exchange_id is not None
        ChatExchange.objects.filter(id=column.exchange_id).update(
            status=ChatExchange.Status.STREAMING
        )
        assert list(column_stream(column_id=column.id)) == []
        column.refresh_from_db()
        assert (column.ttft_ms, column.total_ms, column.tokens) == (None, None, None)


class TestCreating:
    def test_a_resent_form_finds_the_comparison_it_made(self, owner: User) -> None:
        made, created = comparison_create(
            user=owner, kind="chat", prompt="Hi", specs=chat_specs("", "")
        )
        again, created_again = comparison_create(
            user=owner, kind="chat", prompt="Hi", specs=chat_specs("", ""), comparison_id=made.id
        )
        assert (created, created_again) == (True, False)
        assert again == made
        assert Column.objects.count() == 2

    def test_a_quota_refusal_leaves_nothing_behind(self, owner: User) -> None:
        Quota.objects.create(user=owner, video_jobs=1)
        specs = [
            ColumnSpec(model="doubao-seedance-1-0-pro-250528", params=seedance()),
            ColumnSpec(model="doubao-seedance-1-0-pro-250528", params=seedance()),
        ]
        with pytest.raises(QuotaExceeded):
            comparison_create(user=owner, kind="video", prompt="A fox", specs=specs)
        assert Comparison.objects.count() == 0
        assert VideoJob.objects.count() == 0

    def test_it_appears_in_the_team_history(self, owner: User, team_key: str) -> None:
        comparison, _ = comparison_create(
            user=owner, kind="chat", prompt="Owls at night", specs=chat_specs("", "")
        )
        item = Item.objects.get(kind=Item.Kind.COMPARE, source_id=str(comparison.id))
        assert (item.title, item.state, item.in_flight) == ("Owls at night", "running", True)
        assert item.model == "model-1, model-2"
        for column in comparison.columns.all():
            column_run(user=owner, column=column)
        item.refresh_from_db()
        assert (item.state, item.in_flight) == ("done", False)
        assert item.duration_ms is not None
        # The columns are ordinary chats, in the history as such too.
        assert Item.objects.filter(kind=Item.Kind.CHAT).count() == 2


def seedance(**changes: Any) -> dict[str, Any]:
    return {
        "action": "seedance",
        "model": "doubao-seedance-1-0-pro-250528",
        "first_frame": None,
        "last_frame": None,
        "reference_images": [],
        "ratio": "16:9",
        "resolution": "",
        "duration": 5,
        "seed": None,
        "camera_fixed": False,
        "watermark": False,
    } | changes


class TestImageAndVideoColumns:
    def test_image_columns_make_a_generation_each(
        self, owner: User, team_key: str, settings: Any, tmp_path: Any
    ) -> None:
        settings.MEDIA_ROOT = tmp_path / "media"
        params: dict[str, Any] = {"size": None, "seed": None, "guidance_scale": None}
        params |= {"watermark": False}
        params |= {"response_format": "url", "references": [], "sequential": False}
        params |= {"max_images": None}
        specs = [
            ColumnSpec(model=m, params=params | {"model": m})
            for m in ("doubao-seedream-4-5-251128", "doubao-seedream-4-0-250828")
        ]
        comparison, _ = comparison_create(user=owner, kind="image", prompt="A lamp", specs=specs)
        for column in comparison.columns.all():
            ran = column_run(user=owner, column=column)
            assert ran.generation is not None
            assert ran.generation.state == Generation.State.DONE
            assert ran.generation.prompt == "A lamp"
            assert ran.generation.model == column.model
            assert ran.generation.images.get().is_stored
        comparison.refresh_from_db()
        assert comparison.state == Comparison.State.DONE

    # In a transaction that is never committed: the jobs are not sent to the session's worker.
    @pytest.mark.django_db
    def test_video_columns_are_ordinary_queued_jobs(self, owner: User) -> None:
        kling: dict[str, Any] = {"action": "text2video", "model_name": "kling-v1-6"}
        kling |= {"negative_prompt": ""}
        kling |= {"mode": "std", "duration": 5, "aspect_ratio": "16:9", "cfg_scale": None}
        kling |= {"camera_control": None}
        specs = [
            ColumnSpec(model="doubao-seedance-1-0-pro-250528", params=seedance()),
            ColumnSpec(model="kling-v1-6", params=kling),
        ]
        comparison, _ = comparison_create(user=owner, kind="video", prompt="A fox", specs=specs)
        seedance_column, kling_column = comparison.columns.select_related("video_job")
        assert seedance_column.video_job is not None
        assert kling_column.video_job is not None
        assert seedance_column.video_job.action == VideoJob.Action.SEEDANCE
        assert kling_column.video_job.action == VideoJob.Action.TEXT2VIDEO
        for job in (seedance_column.video_job, kling_column.video_job):
            assert (job.state, job.prompt) == (VideoJob.State.QUEUED, "A fox")
        assert kling_column.video_job.model == "kling-v1-6"
        assert comparison_refresh(comparison_id=comparison.id).state == "running"

    # In a transaction that is never committed: the jobs are not sent to the session's worker.
    @pytest.mark.django_db
    def test_the_sweep_ends_a_comparison_whose_jobs_ended_unwatched(self, owner: User) -> None:
        specs = [ColumnSpec(model="doubao-seedance-1-0-pro-250528", params=seedance())] * 2
        comparison, _ = comparison_create(user=owner, kind="video", prompt="A fox", specs=specs)
        VideoJob.objects.update(state=VideoJob.State.SUCCEEDED)
        assert comparison_sweep() == 1
        comparison.refresh_from_db()
        assert comparison.state == Comparison.State.DONE
        item = Item.objects.get(kind="compare", source_id=str(comparison.id))
        assert (item.state, item.in_flight) == ("done", False)
        assert comparison_sweep() == 0, "nothing left running"


class TestRerun:
    def test_a_rerun_is_a_new_comparison_of_the_same_columns_for_whoever_asked(
        self, owner: User, team_key: str
    ) -> None:
        original, _ = comparison_create(
            user=owner, kind="chat", prompt="Hi", specs=chat_specs("", "Be a pirate")
        )
        someone = UserFactory.create()
        rerun = comparison_rerun(user=someone, comparison=original)
        assert rerun.id != original.id
        assert (rerun.user, rerun.rerun_of, rerun.prompt) == (someone, original, "Hi")
        assert [(c.model, c.params) for c in rerun.columns.all()] == [
            (c.model, c.params) for c in original.columns.all()
        ]
        for column in rerun.columns.select_related("exchange"):
            assert column.exchange is not None
            assert column.exchange.user == someone
            assert column.exchange.status == ChatExchange.Status.PENDING
