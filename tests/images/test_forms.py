"""The Seedream form: each model's rules, with errors in words before anything is sent."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from playground.accounts.models import User
from playground.images.forms import ImageForm
from tests.images.factories import MODEL_3, MODEL_4, MODEL_45, params, png
from tests.uploads.factories import UploadFactory

pytestmark = pytest.mark.django_db


def form(user: User, files: dict[str, Any] | None = None, **data: Any) -> ImageForm:
    values = {
        "generation_id": str(uuid.uuid4()),
        "model": MODEL_4,
        "prompt": "a lighthouse at dusk",
        "response_format": "url",
        **data,
    }
    return ImageForm(values, files or {}, user=user)


def errors(user: User, **data: Any) -> dict[str, list[str]]:
    checked = form(user, **data)
    assert not checked.is_valid()
    return {name: [str(m) for m in messages] for name, messages in checked.errors.items()}


def sent_size(user: User, **data: Any) -> str | None:
    checked = form(user, **data)
    assert checked.is_valid(), checked.errors
    size: str | None = checked.params()["size"]
    return size


def png_file(name: str = "ref.png", width: int = 300, height: int = 300) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png(width, height), content_type="image/png")


class TestSizesFor4x:
    @pytest.mark.parametrize("preset", ["1K", "2K", "4K"])
    def test_it_takes_each_preset(self, user: User, preset: str) -> None:
        assert sent_size(user, size=preset) == preset

    def test_it_leaves_the_default_to_the_model(self, user: User) -> None:
        assert sent_size(user) is None

    def test_it_takes_a_custom_size(self, user: User) -> None:
        assert sent_size(user, size="custom", width="2560", height="1440") == "2560x1440"

    def test_a_width_and_height_alone_are_a_custom_size(self, user: User) -> None:
        assert sent_size(user, width="1280", height="720") == "1280x720"

    @pytest.mark.parametrize(("width", "height"), [("1280", "720"), ("4096", "4096")])
    def test_it_takes_the_pixel_bounds(self, user: User, width: str, height: str) -> None:
        assert sent_size(user, size="custom", width=width, height=height) == f"{width}x{height}"

    @pytest.mark.parametrize(("width", "height"), [("1279", "720"), ("4096", "4097")])
    def test_it_refuses_too_few_or_too_many_pixels(
        self, user: User, width: str, height: str
    ) -> None:
        message = errors(user, size="custom", width=width, height=height)["width"][0]
        assert "1280\N{MULTIPLICATION SIGN}720 to 4096\N{MULTIPLICATION SIGN}4096 pixels" in message

    def test_it_takes_an_aspect_of_16_to_1(self, user: User) -> None:
        assert sent_size(user, size="custom", width="4800", height="300") == "4800x300"

    @pytest.mark.parametrize(("width", "height"), [("5120", "300"), ("300", "5120")])
    def test_it_refuses_an_aspect_beyond_16(self, user: User, width: str, height: str) -> None:
        message = errors(user, size="custom", width=width, height=height)["width"][0]
        assert "aspect ratio from 1:16 to 16:1" in message

    def test_a_custom_size_needs_both_sides(self, user: User) -> None:
        assert errors(user, size="custom", width="2048")["width"] == [
            "Give both a width and a height, in pixels."
        ]

    def test_a_preset_with_a_width_is_ambiguous(self, user: User) -> None:
        assert "choose Custom" in errors(user, size="2K", width="2048", height="2048")["size"][0]

    def test_it_refuses_a_guidance_scale(self, user: User) -> None:
        assert (
            "Only Seedream 3.0"
            in errors(user, model=MODEL_45, guidance_scale="5")["guidance_scale"][0]
        )


class TestSizesFor3:
    def test_it_takes_a_custom_size_within_512_to_2048(self, user: User) -> None:
        assert sent_size(user, model=MODEL_3, size="custom", width="512", height="2048") == (
            "512x2048"
        )

    def test_it_leaves_1024_square_to_the_model(self, user: User) -> None:
        assert sent_size(user, model=MODEL_3) is None

    @pytest.mark.parametrize("preset", ["1K", "2K", "4K"])
    def test_it_refuses_the_presets(self, user: User, preset: str) -> None:
        assert "not " + preset in errors(user, model=MODEL_3, size=preset)["size"][0]

    @pytest.mark.parametrize(("width", "height"), [("511", "1024"), ("1024", "2049")])
    def test_it_refuses_a_side_out_of_bounds(self, user: User, width: str, height: str) -> None:
        message = errors(user, model=MODEL_3, size="custom", width=width, height=height)["width"]
        assert "512 to 2048 px a side" in message[0]

    @pytest.mark.parametrize(
        ("value", "ok"), [("1", True), ("10", True), ("0.9", False), ("10.5", False)]
    )
    def test_it_takes_a_guidance_scale_of_1_to_10(self, user: User, value: str, ok: bool) -> None:
        assert form(user, model=MODEL_3, guidance_scale=value).is_valid() is ok

    def test_it_takes_no_references(self, user: User) -> None:
        message = errors(user, model=MODEL_3, files={"refer1_file": png_file()})
        assert "text only" in message["refer1_file"][0]

    def test_it_has_no_sequential_generation(self, user: User) -> None:
        assert (
            "use a 4.x model"
            in errors(user, model=MODEL_3, sequential="on", max_images="2")["sequential"][0]
        )


class TestOtherFields:
    @pytest.mark.parametrize(
        ("seed", "ok"), [("-1", True), ("2147483647", True), ("-2", False), ("2147483648", False)]
    )
    def test_the_seed_is_minus_1_to_2147483647(self, user: User, seed: str, ok: bool) -> None:
        assert form(user, seed=seed).is_valid() is ok

    @pytest.mark.parametrize("response_format", ["url", "b64_json"])
    def test_it_takes_both_response_formats(self, user: User, response_format: str) -> None:
        checked = form(user, response_format=response_format)
        assert checked.is_valid()
        assert checked.params()["response_format"] == response_format

    def test_a_prompt_is_required(self, user: User) -> None:
        assert "prompt" in errors(user, prompt="")

    @pytest.mark.parametrize(
        ("count", "ok"), [("1", True), ("15", True), ("0", False), ("16", False)]
    )
    def test_max_images_is_1_to_15(self, user: User, count: str, ok: bool) -> None:
        assert form(user, sequential="on", max_images=count).is_valid() is ok

    def test_max_images_is_sent_only_with_sequential_generation(self, user: User) -> None:
        checked = form(user, max_images="4")
        assert checked.is_valid()
        assert checked.params()["max_images"] is None


class TestReferences:
    def test_it_takes_ten_references(self, user: User) -> None:
        files = {f"refer{n}_file": png_file(f"{n}.png", 300 + n, 300) for n in range(1, 11)}
        checked = form(user, files=files)
        assert checked.is_valid(), checked.errors
        assert len(checked.params()["references"]) == 10

    def test_it_has_no_eleventh_reference(self, user: User) -> None:
        assert "refer11_file" not in form(user).fields

    def test_references_and_images_together_are_at_most_15(self, user: User) -> None:
        files = {f"refer{n}_file": png_file(f"{n}.png", 300 + n, 300) for n in range(1, 4)}
        checked = form(user, files=files, sequential="on", max_images="13")
        assert not checked.is_valid()
        assert checked.errors["max_images"] == [
            "References and generated images together may be at most 15; this asks for 3 + 13."
        ]
        assert form(user, files=files, sequential="on", max_images="12").is_valid()

    def test_a_stored_image_from_the_query_is_a_reference(self, user: User) -> None:
        upload = UploadFactory.create(created_by=user)
        checked = form(user, refer1_upload=str(upload.id))
        assert checked.is_valid()
        assert checked.params()["references"] == [{"upload": str(upload.id)}]

    def test_a_tiny_image_is_refused_in_words(self, user: User) -> None:
        message = errors(user, files={"refer1_file": png_file(width=20, height=20)})
        assert "at least 64 px" in message["refer1_file"][0]


class TestRerun:
    def test_the_form_opens_as_it_was_sent(self, user: User) -> None:
        upload = UploadFactory.create(created_by=user)
        saved = params(
            size="2560x1440",
            seed=9,
            references=[
                {"upload": str(upload.id)},
                {"upload": str(upload.id), "url": "https://x.test/a.png"},
            ],
            sequential=True,
            max_images=2,
        )
        initial = ImageForm.initial_from(saved)
        assert initial["size"] == "custom"
        assert (initial["width"], initial["height"], initial["seed"]) == (2560, 1440, 9)
        assert initial["refer1_upload"] == str(upload.id)
        assert initial["refer2_url"] == "https://x.test/a.png"
        assert initial["sequential"] is True
        assert initial["max_images"] == 2

    def test_a_preset_opens_as_the_preset(self) -> None:
        assert ImageForm.initial_from(params(size="4K"))["size"] == "4K"
