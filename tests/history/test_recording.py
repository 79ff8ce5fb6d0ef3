"""What the chat, image and video services leave in the history: one item per source, kept up
to date, and an Event at each state change. The gateway is the simulator."""

from __future__ import annotations

import time
import uuid

import pytest

from playground.accounts.models import User
from playground.chat.services import ChatSettings, chat_send, exchange_run
from playground.history.models import Event, Item
from playground.images.services import generation_create, generation_run
from playground.videos.models import VideoJob
from playground.videos.services import video_job_advance, video_job_cancel, video_job_create
from tests.conftest import Simulator
from tests.images.factories import params as image_params

pytestmark = pytest.mark.django_db
SEEDANCE = {"model": "doubao-seedance-1-0-pro-250528", "prompt": "a fox in the snow", "duration": 2}


def timeline(item: Item) -> list[str]:
    return list(
        Event.objects.filter(item=item).order_by("at", "id").values_list("state", flat=True)
    )


def run_to_the_end(job: VideoJob, seconds: float = 30) -> VideoJob:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        video_job_advance(job_id=job.id)
        job.refresh_from_db()
        if job.is_final:
            return job
        time.sleep(0.3)
    raise AssertionError(f"job still {job.state} after {seconds} s")


class TestVideoJobs:
    def test_a_new_job_is_in_the_history_queued(
        self, user: User, gateway: Simulator, no_worker: list[uuid.UUID]
    ) -> None:
        job = video_job_create(user=user, action="seedance", params=SEEDANCE)

        item = Item.objects.get(kind="video", source_id=str(job.id))
        assert (item.state, item.in_flight, item.user, item.model) == (
            "queued",
            True,
            user,
            SEEDANCE["model"],
        )
        assert item.title == "a fox in the snow"
        assert timeline(item) == ["queued"]

    def test_a_job_run_to_its_end_leaves_every_state_in_the_timeline(
        self, user: User, gateway: Simulator, no_worker: list[uuid.UUID]
    ) -> None:
        job = run_to_the_end(video_job_create(user=user, action="seedance", params=SEEDANCE))

        item = Item.objects.get(kind="video", source_id=str(job.id))
        assert job.state == VideoJob.State.SUCCEEDED
        assert timeline(item) == ["queued", "submitting", "running", "archiving", "succeeded"]
        assert item.in_flight is False
        assert item.finished_at == job.finished_at
        assert item.duration_ms is not None
        assert item.duration_ms > 0
        assert item.media == f"/videos/{job.id}/poster.jpg"

    def test_a_cancelled_job_ends_its_timeline_cancelled(
        self, user: User, gateway: Simulator, no_worker: list[uuid.UUID]
    ) -> None:
        job = video_job_create(user=user, action="seedance", params=SEEDANCE)

        video_job_cancel(job=job)

        item = Item.objects.get(kind="video", source_id=str(job.id))
        assert timeline(item) == ["queued", "cancelled"]
        assert item.in_flight is False


class TestImages:
    def test_a_generation_leaves_its_states_and_first_thumbnail(
        self, user: User, gateway: Simulator
    ) -> None:
        generation, _ = generation_create(user=user, params=image_params(prompt="a red lighthouse"))
        generation_run(generation=generation)

        item = Item.objects.get(kind="image", source_id=str(generation.id))
        assert timeline(item) == ["pending", "running", "saving", "done"]
        assert item.title == "a red lighthouse"
        assert item.media.endswith("/thumbnail.jpg")


class TestChat:
    def test_a_conversation_is_one_item_following_its_latest_answer(
        self, user: User, gateway: Simulator
    ) -> None:
        chat_settings = ChatSettings(
            model="gpt-4o-mini", system_prompt="", temperature=0.7, top_p=1.0, max_tokens=64
        )
        first = chat_send(
            user=user, conversation=None, chat_settings=chat_settings, message="Hi owls"
        )
        exchange_run(exchange_id=first.id)
        second = chat_send(
            user=user, conversation=first.conversation, chat_settings=chat_settings, message="More"
        )
        exchange_run(exchange_id=second.id)

        item = Item.objects.get(kind="chat")
        assert item.source_id == str(first.conversation_id)
        assert item.title == "Hi owls"
        assert item.state == "done"
        assert timeline(item) == ["pending", "streaming", "done", "pending", "streaming", "done"]
