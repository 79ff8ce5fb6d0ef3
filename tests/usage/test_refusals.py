"""Over a daily limit, the chat, image and video forms say so, and nothing reaches the gateway."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from playground.accounts.models import User
from playground.chat.models import ChatExchange
from playground.images.models import Generation
from playground.usage.models import Quota
from playground.videos.models import VideoJob
from tests.conftest import Simulator
from tests.factories import UserFactory
from tests.images.factories import MODEL_4
from tests.usage.conftest import chat_on, days_ago, gateway_requests, images_on, video_on
from tests.videos.factories import SEEDANCE_MODEL

pytestmark = pytest.mark.django_db
HTMX: dict[str, Any] = {"headers": {"HX-Request": "true"}}
CHAT = {
    "model": "gpt-4o-mini",
    "system_prompt": "",
    "temperature": "0.7",
    "top_p": "1",
    "max_tokens": "256",
    "message": "Hello",
}
IMAGE = {"model": MODEL_4, "prompt": "a lighthouse", "size": "1K", "response_format": "url"}
VIDEO = {"model": SEEDANCE_MODEL, "duration": "5", "prompt": "a cat at a piano"}


def text(response: Any) -> str:
    return str(response.content.decode())


@pytest.fixture
def mia(db: Any) -> User:
    return UserFactory.create(username="mia")


@pytest.fixture
def as_mia(client: Client, mia: User) -> Client:
    client.force_login(mia)
    return client


class TestChat:
    def test_at_the_limit_the_message_is_refused_in_words(
        self, as_mia: Client, mia: User, team_key: str, sim: Simulator
    ) -> None:
        Quota.objects.create(user=mia, chat_tokens=100)
        chat_on(mia, days_ago(0, hour=0), prompt=90, completion=10)
        response = as_mia.post(reverse("chat:send"), CHAT)
        assert response.status_code == 200
        assert "You have used 100 of your daily limit of 100 chat tokens" in text(response)
        assert "resets at 00:00 UTC, in " in text(response)
        assert ChatExchange.objects.count() == 1  # only the seeded one
        assert gateway_requests(sim) == []

    def test_with_htmx_the_refusal_is_swapped_in(
        self, as_mia: Client, mia: User, team_key: str, sim: Simulator
    ) -> None:
        Quota.objects.create(user=mia, chat_tokens=0)
        response = as_mia.post(reverse("chat:send"), CHAT, **HTMX)
        assert response.status_code == 200
        assert "Your daily limit of chat tokens is 0" in text(response)
        assert gateway_requests(sim) == []

    def test_one_under_the_limit_the_message_is_answered(
        self, as_mia: Client, mia: User, team_key: str, sim: Simulator
    ) -> None:
        Quota.objects.create(user=mia, chat_tokens=100)
        chat_on(mia, days_ago(0, hour=0), prompt=90, completion=9)
        response = as_mia.post(reverse("chat:send"), CHAT)
        assert response.status_code == 302
        assert [entry["route"] for entry in gateway_requests(sim)] == ["chat"]

    def test_regenerate_is_refused_too(
        self, as_mia: Client, mia: User, team_key: str, sim: Simulator
    ) -> None:
        exchange = chat_on(mia, days_ago(0, hour=0), prompt=90, completion=10)
        Quota.objects.create(user=mia, chat_tokens=100)
        url = reverse("chat:regenerate", args=[exchange.conversation_id])
        response = as_mia.post(url, follow=True)
        assert "You have used 100 of your daily limit of 100 chat tokens" in text(response)
        exchange.refresh_from_db()
        assert exchange.status == ChatExchange.Status.DONE  # the old answer is kept
        assert gateway_requests(sim) == []

    def test_regenerate_with_htmx_shows_the_refusal_by_the_composer(
        self, as_mia: Client, mia: User, team_key: str, sim: Simulator
    ) -> None:
        exchange = chat_on(mia, days_ago(0, hour=0), prompt=1, completion=0)
        Quota.objects.create(user=mia, chat_tokens=1)
        url = reverse("chat:regenerate", args=[exchange.conversation_id])
        response = as_mia.post(url, {"message": ""}, **HTMX)
        assert "You have used 1 of your daily limit of 1 chat token," in text(response)
        assert gateway_requests(sim) == []


class TestImages:
    def test_at_the_limit_the_request_is_refused_in_words(
        self, as_mia: Client, mia: User, team_key: str, sim: Simulator
    ) -> None:
        Quota.objects.create(user=mia, images=4)
        images_on(mia, days_ago(0, hour=0), images=4)
        data = IMAGE | {"generation_id": str(uuid.uuid4())}
        response = as_mia.post(reverse("images:create"), data)
        assert response.status_code == 200
        assert "You have used 4 of your daily limit of 4 images" in text(response)
        assert Generation.objects.count() == 1
        assert gateway_requests(sim) == []

    def test_with_htmx_one_over_the_limit_is_refused(
        self, as_mia: Client, mia: User, team_key: str, sim: Simulator
    ) -> None:
        Quota.objects.create(user=mia, images=4)
        images_on(mia, days_ago(0, hour=0), images=5)
        data = IMAGE | {"generation_id": str(uuid.uuid4())}
        response = as_mia.post(reverse("images:create"), data, **HTMX)
        assert response.status_code == 200
        assert "You have used 5 of your daily limit of 4 images" in text(response)
        assert gateway_requests(sim) == []

    def test_one_under_the_limit_the_images_are_made(
        self, as_mia: Client, mia: User, team_key: str, sim: Simulator, settings: Any, tmp_path: Any
    ) -> None:
        settings.MEDIA_ROOT = tmp_path
        Quota.objects.create(user=mia, images=4)
        images_on(mia, days_ago(0, hour=0), images=3)
        data = IMAGE | {"generation_id": str(uuid.uuid4())}
        response = as_mia.post(reverse("images:create"), data)
        assert response.status_code == 302
        assert "images" in [entry["route"] for entry in gateway_requests(sim)]


class TestVideos:
    def test_at_the_limit_generate_is_refused_in_words(
        self, as_mia: Client, mia: User, sim: Simulator
    ) -> None:
        Quota.objects.create(user=mia, video_jobs=1)
        video_on(mia, days_ago(0, hour=0))
        data = VIDEO | {"job_id": str(uuid.uuid4())}
        response = as_mia.post(reverse("videos:create", args=["seedance"]), data)
        assert response.status_code == 200
        assert "You have used 1 of your daily limit of 1 video job," in text(response)
        assert VideoJob.objects.count() == 1  # nothing queued for a worker to send
        assert gateway_requests(sim) == []

    def test_a_limit_of_zero_refuses_the_first_job(
        self, as_mia: Client, mia: User, sim: Simulator
    ) -> None:
        Quota.objects.create(user=mia, video_jobs=0)
        data = VIDEO | {"job_id": str(uuid.uuid4())}
        response = as_mia.post(reverse("videos:create", args=["seedance"]), data)
        assert "Your daily limit of video jobs is 0, so nothing was sent." in text(response)
        assert not VideoJob.objects.exists()

    def test_one_under_the_limit_the_job_is_queued(
        self, as_mia: Client, mia: User, sim: Simulator, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(
            "playground.videos.services.job_wake", lambda job_id, due=None, priority=0: None
        )
        Quota.objects.create(user=mia, video_jobs=2)
        video_on(mia, days_ago(0, hour=0))
        data = VIDEO | {"job_id": str(uuid.uuid4())}
        response = as_mia.post(reverse("videos:create", args=["seedance"]), data)
        assert response.status_code == 302
        assert VideoJob.objects.count() == 2

    def test_a_resent_post_finds_its_job_even_at_the_limit(
        self, as_mia: Client, mia: User, sim: Simulator, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(
            "playground.videos.services.job_wake", lambda job_id, due=None, priority=0: None
        )
        Quota.objects.create(user=mia, video_jobs=1)
        data = VIDEO | {"job_id": str(uuid.uuid4())}
        first = as_mia.post(reverse("videos:create", args=["seedance"]), data)
        again = as_mia.post(reverse("videos:create", args=["seedance"]), data)
        assert first["Location"] == again["Location"]
        assert VideoJob.objects.count() == 1
