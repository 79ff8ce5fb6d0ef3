"""image_fields and resolve_image, in a form like the video forms will use them."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile

from playground.accounts.models import User
from playground.uploads.forms import ImageInputError, image_fields, resolve_image
from playground.uploads.models import Upload
from playground.uploads.rules import KLING_IMAGE, SEEDANCE_IMAGE
from tests.conftest import Simulator
from tests.factories import UserFactory
from tests.uploads.factories import UploadFactory, image_bytes

pytestmark = pytest.mark.django_db


class FrameForm(forms.Form):
    """A form with one image input, as the lead's video forms will have."""

    prompt = forms.CharField()

    def __init__(self, *args: Any, user: User, required: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(image_fields("first_frame", "First frame", required, rules=KLING_IMAGE))
        self.user = user
        self.required = required
        self.upload: Upload | None = None
        self.url: str | None = None

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        try:
            self.upload, self.url = resolve_image(
                user=self.user,
                cleaned=self.cleaned_data,
                prefix="first_frame",
                rules=KLING_IMAGE,
                required=self.required,
            )
        except ImageInputError as error:
            self.add_error(error.field, error)
        return cleaned


def png_file(width: int = 400, height: int = 300) -> SimpleUploadedFile:
    return SimpleUploadedFile("frame.png", image_bytes(width, height), content_type="image/png")


class TestImageFields:
    def test_it_makes_a_file_a_url_and_a_hidden_upload_field(self) -> None:
        fields = image_fields("first_frame", "First frame", rules=SEEDANCE_IMAGE)

        assert list(fields) == ["first_frame_file", "first_frame_url", "first_frame_upload"]
        assert fields["first_frame_file"].widget.attrs["accept"] == (
            "image/jpeg,image/png,image/webp"
        )
        assert isinstance(fields["first_frame_upload"].widget, forms.HiddenInput)
        assert not any(field.required for field in fields.values())

    def test_it_accepts_png_and_jpeg_by_default(self) -> None:
        fields = image_fields("tail", "Last frame")

        assert fields["tail_file"].widget.attrs["accept"] == "image/png,image/jpeg"


class TestResolveImage:
    def test_a_file_becomes_an_upload(self) -> None:
        form = FrameForm(
            {"prompt": "go"}, {"first_frame_file": png_file()}, user=UserFactory.create()
        )

        assert form.is_valid(), form.errors
        assert form.upload is not None
        assert form.upload.width == 400
        assert form.url is None

    def test_a_url_becomes_an_upload_and_is_kept_as_typed(self, sim: Simulator) -> None:
        response = requests.post(
            f"{sim.url}/v1/images/generations",
            headers={"Authorization": f"Bearer {sim.key}"},
            json={"model": "doubao-seedream-4-0-250828", "prompt": "a red fox", "size": "1K"},
            timeout=30,
        )
        url = response.json()["data"][0]["url"]

        form = FrameForm({"prompt": "go", "first_frame_url": url}, user=UserFactory.create())

        assert form.is_valid(), form.errors
        assert form.upload is not None
        assert form.upload.source_url == url
        assert form.url == url

    def test_an_earlier_upload_is_reused_on_a_rerun(self) -> None:
        user = UserFactory.create()
        upload = UploadFactory.create(created_by=user)

        form = FrameForm({"prompt": "go", "first_frame_upload": str(upload.id)}, user=user)

        assert form.is_valid(), form.errors
        assert form.upload == upload
        assert form.url is None

    def test_nothing_is_fine_when_the_image_is_optional(self) -> None:
        form = FrameForm({"prompt": "go"}, user=UserFactory.create())

        assert form.is_valid()
        assert (form.upload, form.url) == (None, None)

    def test_nothing_is_an_error_on_the_file_field_when_the_image_is_required(self) -> None:
        form = FrameForm({"prompt": "go"}, user=UserFactory.create(), required=True)

        assert not form.is_valid()
        assert form.errors == {"first_frame_file": ["Choose an image file or paste an image URL."]}

    def test_a_file_and_a_url_together_are_an_error(self) -> None:
        form = FrameForm(
            {"prompt": "go", "first_frame_url": "https://example.com/x.png"},
            {"first_frame_file": png_file()},
            user=UserFactory.create(),
        )

        assert not form.is_valid()
        assert form.errors == {
            "first_frame_file": ["Give one image: a file, a URL or the earlier image, not several."]
        }
        assert Upload.objects.count() == 0

    def test_a_file_that_breaks_the_rules_is_an_error_on_the_file_field(self) -> None:
        form = FrameForm(
            {"prompt": "go"}, {"first_frame_file": png_file(200, 640)}, user=UserFactory.create()
        )

        assert not form.is_valid()
        assert form.errors == {
            "first_frame_file": [
                "The image must be at least 300 px on each side; this one is 200\u00d7640 px."
            ]
        }

    def test_a_refused_url_is_an_error_on_the_url_field(self) -> None:
        form = FrameForm(
            {"prompt": "go", "first_frame_url": "http://169.254.169.254/latest/meta-data"},
            user=UserFactory.create(),
        )

        assert not form.is_valid()
        assert list(form.errors) == ["first_frame_url"]
        assert "169.254.169.254 is on a private network" in form.errors["first_frame_url"][0]

    def test_a_missing_earlier_upload_is_an_error_on_the_hidden_field(self) -> None:
        form = FrameForm(
            {"prompt": "go", "first_frame_upload": "00000000-0000-0000-0000-000000000000"},
            user=UserFactory.create(),
        )

        assert not form.is_valid()
        assert form.errors == {
            "first_frame_upload": [
                "The earlier image is no longer available; choose the image again."
            ]
        }

    def test_an_earlier_upload_is_checked_against_the_new_rules(self) -> None:
        upload = UploadFactory.create(width=1000, height=300)  # 3.3:1, too wide for Kling

        form = FrameForm(
            {"prompt": "go", "first_frame_upload": str(upload.id)}, user=UserFactory.create()
        )

        assert not form.is_valid()
        assert "aspect ratio" in form.errors["first_frame_upload"][0]

    def test_resolve_image_can_be_called_without_a_form(self) -> None:
        with pytest.raises(ImageInputError) as caught:
            resolve_image(
                user=None,
                cleaned={
                    "x_url": "https://example.com/a.png",
                    "x_upload": UploadFactory.create().id,
                },
                prefix="x",
                rules=KLING_IMAGE,
            )

        assert caught.value.field == "x_url"
