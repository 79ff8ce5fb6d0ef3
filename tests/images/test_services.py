"""Generations against the real simulator: saved first, sent once, every image stored."""

from __future__ import annotations

import io
from typing import Any

import pytest
import requests
from django.core.exceptions import ValidationError
from PIL import Image

from playground.accounts.models import User
from playground.images.models import GeneratedImage, Generation
from playground.images.services import generation_create, generation_run, reference_create
from playground.uploads.rules import KLING_IMAGE, REFERENCE_IMAGE
from tests.conftest import Simulator, outlast_the_stall
from tests.images.factories import MODEL_3, GeneratedImageFactory, params, png
from tests.uploads.factories import UploadFactory

pytestmark = pytest.mark.django_db
State = Generation.State


def run(user: User, **changes: Any) -> Generation:
    generation, created = generation_create(user=user, params=params(**changes))
    assert created
    return generation_run(generation=generation)


def images(generation: Generation) -> list[GeneratedImage]:
    return list(generation.images.order_by("index"))


def sim_requests(sim: Simulator) -> list[dict[str, Any]]:
    log = requests.get(f"{sim.url}/_sim/requests", timeout=5).json()
    return [entry for entry in log if entry["route"] == "images"]


def opened(field: Any) -> Image.Image:
    with field.open("rb") as file:
        image = Image.open(io.BytesIO(file.read()))
        image.load()
        return image


class TestGenerationRun:
    def test_it_stores_an_image_given_as_a_url(self, user: User, team_key: str) -> None:
        generation = run(user, size="1K", seed=42)
        (image,) = images(generation)
        assert generation.state == State.DONE
        assert generation.error == ""
        assert image.upstream_url.startswith("http://127.0.0.1")
        assert (image.width, image.height, image.size) == (1024, 1024, "1024x1024")
        assert image.seed == 42
        assert image.content_type == "image/png"
        assert opened(image.file).size == (1024, 1024)

    def test_it_stores_an_image_given_as_base64(self, user: User, team_key: str) -> None:
        generation = run(user, size="1K", response_format="b64_json")
        (image,) = images(generation)
        assert image.upstream_url == ""
        assert opened(image.file).size == (1024, 1024)
        with image.file.open("rb") as file:
            assert len(file.read()) == image.bytes

    def test_it_makes_a_thumbnail_of_every_image(self, user: User, team_key: str) -> None:
        generation = run(user, size="2048x1024")
        (image,) = images(generation)
        thumbnail = opened(image.thumbnail)
        assert thumbnail.format == "JPEG"
        assert thumbnail.size == (480, 240)

    def test_it_keeps_the_gateways_usage(self, user: User, team_key: str) -> None:
        generation = run(user, size="1K")
        assert generation.generated_images == 1
        assert generation.total_tokens == 1024 * 1024 // 256
        assert generation.response_model == params()["model"]

    def test_it_makes_a_sequence_of_max_images(
        self, user: User, team_key: str, sim: Simulator
    ) -> None:
        generation = run(user, size="1K", sequential=True, max_images=4)
        assert [image.index for image in images(generation)] == [0, 1, 2, 3]
        assert all(image.is_stored for image in images(generation))
        assert generation.generated_images == 4
        assert sim_requests(sim)[-1]["body"]["sequential_image_generation_options"] == {
            "max_images": 4
        }

    def test_it_keeps_the_other_images_when_one_fails(self, user: User, team_key: str) -> None:
        generation = run(
            user, prompt="a fox [fault:image-item-error]", sequential=True, max_images=3
        )
        first, second, third = images(generation)
        assert generation.state == State.DONE
        assert first.is_stored
        assert second.is_stored
        assert not third.is_stored
        assert "sensitive content" in third.error
        assert "OutputImageSensitiveContentDetected" in third.error
        assert generation.generated_images == 2

    def test_it_keeps_a_usage_of_zero_as_zero(self, user: User, team_key: str) -> None:
        generation = run(user, prompt="a fox [fault:image-item-error]")
        assert generation.generated_images == 0
        assert generation.total_tokens == 0
        (image,) = images(generation)
        assert image.error

    def test_it_sends_the_references(self, user: User, team_key: str, sim: Simulator) -> None:
        upload = UploadFactory.create(created_by=user)
        ref = {"upload": str(upload.id)}
        generation = run(
            user, references=[ref, {"upload": str(upload.id), "url": "https://x.test/a.png"}]
        )
        sent = sim_requests(sim)[-1]["body"]["image"]
        assert sent[0].startswith("data:image/png;base64,")
        assert sent[1] == "https://x.test/a.png"
        assert generation.request_body["image"] == [upload.reference, "https://x.test/a.png"]

    def test_it_records_the_body_as_sent_without_base64(
        self, user: User, team_key: str, sim: Simulator
    ) -> None:
        upload = UploadFactory.create(created_by=user)
        generation = run(
            user,
            size="2048x1152",
            seed=7,
            watermark=True,
            references=[{"upload": str(upload.id)}],
            sequential=True,
            max_images=2,
        )
        assert generation.request_body == {
            "model": params()["model"],
            "prompt": "a lighthouse at dusk",
            "size": "2048x1152",
            "seed": 7,
            "watermark": True,
            "response_format": "url",
            "image": upload.reference,
            "sequential_image_generation": "auto",
            "sequential_image_generation_options": {"max_images": 2},
        }
        assert "base64" not in str(Generation.objects.get().request_body)

    def test_it_sends_the_guidance_scale_to_seedream_3(
        self, user: User, team_key: str, sim: Simulator
    ) -> None:
        generation = run(user, model=MODEL_3, size="768x512", guidance_scale=7.5)
        assert generation.state == State.DONE
        assert sim_requests(sim)[-1]["body"]["guidance_scale"] == 7.5
        assert images(generation)[0].size == "768x512"


class TestGatewayFailures:
    def test_a_server_error_is_saved_in_words(self, user: User, team_key: str) -> None:
        generation = run(user, prompt="a fox [fault:500]")
        assert generation.state == State.FAILED
        assert "internal error (500)" in generation.error
        assert not generation.images.exists()

    def test_a_rejected_request_says_why(self, user: User, team_key: str) -> None:
        generation = run(user, model=MODEL_3, size="1K")
        assert generation.state == State.FAILED
        assert "(400)" in generation.error
        assert "Seedream 3.0" in generation.error

    def test_a_timeout_is_an_unknown_outcome(
        self, user: User, team_key: str, settings: Any
    ) -> None:
        settings.STARRISE_READ_TIMEOUT = 0.5
        generation = run(user, prompt="a fox [fault:timeout]")
        assert generation.state == State.UNKNOWN
        assert "may have been made (and charged) upstream" in generation.error
        outlast_the_stall()

    def test_no_team_key_is_said_in_words(self, user: User, sim: Simulator) -> None:
        generation = run(user)
        assert generation.state == State.FAILED
        assert "team key" in generation.error.lower()

    def test_an_expired_link_is_that_images_error(
        self, user: User, team_key: str, sim: Simulator
    ) -> None:
        sim.configure(media_ttl_seconds=0)
        generation = run(user, size="1K")
        (image,) = images(generation)
        assert generation.state == State.DONE
        assert not image.is_stored
        assert image.error.startswith("The image could not be saved: The file is no longer")


class TestGenerationCreate:
    def test_the_request_is_saved_pending_before_it_is_sent(
        self, user: User, sim: Simulator
    ) -> None:
        generation, created = generation_create(user=user, params=params(size="2K"))
        assert created
        assert Generation.objects.get().state == State.PENDING
        assert generation.request_body["size"] == "2K"
        assert sim_requests(sim) == []

    def test_the_same_id_twice_makes_one_generation(self, user: User, team_key: str) -> None:
        first, _ = generation_create(user=user, params=params())
        generation_run(generation=first)
        again, created = generation_create(user=user, params=params(), generation_id=first.id)
        assert not created
        assert again.id == first.id
        assert generation_run(generation=again).state == State.DONE
        assert Generation.objects.count() == 1
        assert GeneratedImage.objects.count() == 1

    def test_a_generation_is_sent_once(self, user: User, team_key: str, sim: Simulator) -> None:
        generation, _ = generation_create(user=user, params=params())
        generation_run(generation=generation)
        generation_run(generation=generation)
        assert len(sim_requests(sim)) == 1


class TestReferenceCreate:
    def test_a_stored_image_becomes_an_upload(self, user: User) -> None:
        image = GeneratedImageFactory.create()
        upload = reference_create(user=user, image=image, rules=REFERENCE_IMAGE)
        assert upload.read() == png()
        assert (upload.width, upload.height) == (512, 512)

    def test_an_image_a_video_cannot_take_is_refused_in_words(self, user: User) -> None:
        image = GeneratedImageFactory.create(data=png(1600, 400), width=1600, height=400)
        with pytest.raises(ValidationError, match="aspect ratio"):
            reference_create(user=user, image=image, rules=KLING_IMAGE)
