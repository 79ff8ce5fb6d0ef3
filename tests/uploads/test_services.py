"""Storing uploads and fetched images: checks, storage, dedupe, and the simulator's media URLs."""

# The messages use the multiplication sign (U+00D7) on purpose, as in "200 x 640 px".
# ruff: noqa: RUF001

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path
from typing import Any

import pytest
import requests
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from playground.gateway.media import ImageSource
from playground.uploads.models import Upload
from playground.uploads.rules import KLING_IMAGE, REFERENCE_IMAGE
from playground.uploads.services import upload_create, upload_create_from_url
from tests.conftest import Simulator
from tests.factories import UserFactory
from tests.uploads.factories import image_bytes

pytestmark = pytest.mark.django_db


def uploaded(data: bytes, name: str = "fox.png", content_type: str = "image/png") -> Any:
    return SimpleUploadedFile(name, data, content_type=content_type)


def generated_image_url(sim: Simulator) -> str:
    response = requests.post(
        f"{sim.url}/v1/images/generations",
        headers={"Authorization": f"Bearer {sim.key}"},
        json={"model": "doubao-seedream-4-0-250828", "prompt": "a red fox", "size": "1K"},
        timeout=30,
    )
    response.raise_for_status()
    return str(response.json()["data"][0]["url"])


class TestUploadCreate:
    def test_it_stores_a_checked_image(self, media_root: Path) -> None:
        user = UserFactory.create()
        data = image_bytes(640, 480, "JPEG")

        upload = upload_create(user=user, file=uploaded(data, "my fox.jpg"), rules=KLING_IMAGE)

        upload.refresh_from_db()
        assert upload.created_by == user
        assert upload.original_name == "my fox.jpg"
        assert upload.source_url == ""
        assert upload.content_type == "image/jpeg"
        assert (upload.size, upload.width, upload.height) == (len(data), 640, 480)
        assert upload.sha256 == hashlib.sha256(data).hexdigest()
        assert upload.read() == data
        stored_name = str(upload.file.name)
        assert stored_name.startswith("uploads/")
        assert stored_name.endswith(".jpg")
        assert (media_root / stored_name).read_bytes() == data

    def test_it_refuses_an_image_that_breaks_the_rules_and_stores_nothing(
        self, media_root: Path
    ) -> None:
        with pytest.raises(ValidationError) as caught:
            upload_create(
                user=UserFactory.create(),
                file=uploaded(image_bytes(200, 640)),
                rules=KLING_IMAGE,
            )

        assert caught.value.messages == [
            "The image must be at least 300 px on each side; this one is 200×640 px."
        ]
        assert Upload.objects.count() == 0
        assert not media_root.exists() or not any(media_root.rglob("*.*"))

    def test_it_refuses_a_file_over_the_byte_limit_before_checking_it(self) -> None:
        rules = dataclasses.replace(KLING_IMAGE, max_bytes=1000)

        with pytest.raises(ValidationError) as caught:
            upload_create(user=None, file=uploaded(bytes(300_000)), rules=rules)

        assert caught.value.messages == ["The image must be 1 kB or smaller; this one is 293 kB."]

    def test_it_reuses_the_same_image_from_the_same_user(self) -> None:
        user = UserFactory.create()
        data = image_bytes(400, 400)

        first = upload_create(user=user, file=uploaded(data, "a.png"), rules=KLING_IMAGE)
        second = upload_create(user=user, file=uploaded(data, "b.png"), rules=KLING_IMAGE)

        assert second.pk == first.pk
        assert Upload.objects.count() == 1

    def test_it_keeps_separate_copies_for_separate_users(self) -> None:
        data = image_bytes(400, 400)

        first = upload_create(user=UserFactory.create(), file=uploaded(data), rules=KLING_IMAGE)
        second = upload_create(user=UserFactory.create(), file=uploaded(data), rules=KLING_IMAGE)

        assert second.pk != first.pk
        assert Upload.objects.count() == 2


class TestUploadCreateFromUrl:
    def test_it_fetches_the_simulators_media(self, sim: Simulator) -> None:
        url = generated_image_url(sim)
        assert url.startswith(sim.url)

        upload = upload_create_from_url(user=UserFactory.create(), url=url, rules=KLING_IMAGE)

        assert upload.source_url == url
        assert upload.content_type == "image/png"
        assert upload.read().startswith(b"\x89PNG")
        assert upload.width >= 300
        assert upload.original_name.endswith(".png")

    def test_it_reuses_an_image_fetched_twice(self, sim: Simulator) -> None:
        user = UserFactory.create()
        url = generated_image_url(sim)

        first = upload_create_from_url(user=user, url=url, rules=KLING_IMAGE)
        second = upload_create_from_url(user=user, url=url, rules=KLING_IMAGE)

        assert second.pk == first.pk

    def test_it_refuses_the_simulators_host_in_production(
        self, sim: Simulator, settings: Any
    ) -> None:
        url = generated_image_url(sim)
        settings.PRODUCTION = True

        with pytest.raises(ValidationError) as caught:
            upload_create_from_url(user=None, url=url, rules=KLING_IMAGE)

        assert caught.value.messages == [
            "127.0.0.1 is on a private network; the playground only fetches public http(s) URLs."
        ]

    def test_it_refuses_private_addresses(self, sim: Simulator) -> None:
        with pytest.raises(ValidationError) as caught:
            upload_create_from_url(
                user=None, url="http://169.254.169.254/latest/meta-data", rules=KLING_IMAGE
            )

        assert "169.254.169.254 is on a private network" in caught.value.messages[0]
        assert Upload.objects.count() == 0

    def test_it_checks_the_fetched_image_against_the_rules(self, sim: Simulator) -> None:
        rules = dataclasses.replace(REFERENCE_IMAGE, min_side=5000)

        with pytest.raises(ValidationError) as caught:
            upload_create_from_url(user=None, url=generated_image_url(sim), rules=rules)

        assert "at least 5000 px on each side" in caught.value.messages[0]


class TestUploadModel:
    def test_it_becomes_an_image_source_that_reads_the_stored_bytes(self) -> None:
        data = image_bytes(400, 300)
        upload = upload_create(user=None, file=uploaded(data), rules=KLING_IMAGE)

        source = upload.as_image_source()

        assert source == ImageSource(reference=f"upload:{upload.id}", content_type="image/png")
        assert source.read is not None
        assert source.read() == data

    def test_its_image_source_keeps_a_url_as_typed(self) -> None:
        upload = upload_create(user=None, file=uploaded(image_bytes()), rules=KLING_IMAGE)

        source = upload.as_image_source(url="https://example.com/fox.png")

        assert source.url == "https://example.com/fox.png"
        assert source.reference == upload.reference
