"""image_check against real images drawn by Pillow: every rule, and its sentence."""

# The messages use the multiplication sign (U+00D7) on purpose, as in "200 x 640 px".
# ruff: noqa: RUF001

from __future__ import annotations

import dataclasses
import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from playground.uploads.rules import (
    KLING_IMAGE,
    REFERENCE_IMAGE,
    SEEDANCE_IMAGE,
    ImageInfo,
    ImageRules,
    image_check,
    megabytes,
)
from tests.uploads.factories import image_bytes, noise_png


def refusal(data: bytes, rules: ImageRules) -> str:
    with pytest.raises(ValidationError) as caught:
        image_check(data, rules)
    [message] = caught.value.messages
    return message


class TestFormats:
    def test_it_accepts_a_png(self) -> None:
        info = image_check(image_bytes(400, 300, "PNG"), KLING_IMAGE)

        assert info == ImageInfo(format="PNG", content_type="image/png", width=400, height=300)

    def test_it_accepts_a_jpeg(self) -> None:
        info = image_check(image_bytes(640, 480, "JPEG"), KLING_IMAGE)

        assert info == ImageInfo(format="JPEG", content_type="image/jpeg", width=640, height=480)

    def test_it_refuses_a_gif(self) -> None:
        message = refusal(image_bytes(400, 300, "GIF"), KLING_IMAGE)

        assert message == "The image must be a JPG or PNG; this one is a GIF."

    def test_kling_refuses_webp(self) -> None:
        message = refusal(image_bytes(400, 300, "WEBP"), KLING_IMAGE)

        assert message == "The image must be a JPG or PNG; this one is a WebP."

    def test_seedance_accepts_webp(self) -> None:
        info = image_check(image_bytes(400, 300, "WEBP"), SEEDANCE_IMAGE)

        assert info.content_type == "image/webp"

    def test_seedance_names_all_three_formats(self) -> None:
        message = refusal(image_bytes(400, 300, "GIF"), SEEDANCE_IMAGE)

        assert message == "The image must be a JPG, PNG or WebP; this one is a GIF."

    def test_it_refuses_a_file_that_is_not_an_image(self) -> None:
        assert refusal(b"<html>hello</html>", KLING_IMAGE) == (
            "That file is not an image we can read."
        )

    def test_it_refuses_a_truncated_image(self) -> None:
        data = image_bytes(400, 300, "PNG")

        assert refusal(data[: len(data) // 2], KLING_IMAGE) == (
            "That file is not an image we can read."
        )


class TestSides:
    def test_it_refuses_an_image_smaller_than_the_minimum_side(self) -> None:
        message = refusal(image_bytes(200, 640), KLING_IMAGE)

        assert message == "The image must be at least 300 px on each side; this one is 200×640 px."

    def test_the_minimum_side_itself_is_fine(self) -> None:
        assert image_check(image_bytes(300, 300), KLING_IMAGE).width == 300

    def test_seedance_refuses_a_side_over_6000_px(self) -> None:
        message = refusal(image_bytes(6001, 3000, "JPEG"), SEEDANCE_IMAGE)

        assert message == (
            "The image must be at most 6000 px on each side; this one is 6001×3000 px."
        )

    def test_reference_images_may_be_small(self) -> None:
        assert image_check(image_bytes(64, 64), REFERENCE_IMAGE).height == 64
        assert "at least 64 px" in refusal(image_bytes(63, 64), REFERENCE_IMAGE)


class TestAspect:
    def test_it_refuses_an_image_too_wide(self) -> None:
        message = refusal(image_bytes(3000, 400, "JPEG"), KLING_IMAGE)

        assert message == (
            "The image's aspect ratio must be between 1:2.5 and 2.5:1; this one is 3000×400 px."
        )

    def test_it_refuses_an_image_too_tall(self) -> None:
        message = refusal(image_bytes(300, 800), KLING_IMAGE)

        assert "this one is 300×800 px" in message

    def test_the_limits_themselves_are_fine(self) -> None:
        assert image_check(image_bytes(750, 300), KLING_IMAGE).width == 750
        assert image_check(image_bytes(300, 750), SEEDANCE_IMAGE).height == 750


class TestBytes:
    def test_it_refuses_an_image_over_10_mb(self) -> None:
        data = noise_png(2000, 2000)  # about 11.5 MB of incompressible pixels
        assert len(data) > 10 * 1024 * 1024

        message = refusal(data, KLING_IMAGE)

        assert message == (
            f"The image must be 10 MB or smaller; this one is {megabytes(len(data))}."
        )

    def test_it_measures_against_the_limit_of_the_rules_given(self) -> None:
        rules = dataclasses.replace(KLING_IMAGE, max_bytes=100_000)
        data = noise_png(300, 300)  # about 270 kB

        message = refusal(data, rules)

        assert message == f"The image must be 98 kB or smaller; this one is {megabytes(len(data))}."

    def test_megabytes_read_like_the_examples(self) -> None:
        assert megabytes(10 * 1024 * 1024) == "10 MB"
        assert megabytes(int(12.3 * 1024 * 1024)) == "12.3 MB"
        assert megabytes(300_000) == "293 kB"


class TestDecompressionBombs:
    def test_it_refuses_an_image_with_too_many_pixels(self) -> None:
        buffer = io.BytesIO()
        Image.new("1", (7000, 7000)).save(buffer, "PNG")  # 49 Mpx in a few kB
        assert len(buffer.getvalue()) < 100_000

        assert refusal(buffer.getvalue(), SEEDANCE_IMAGE) == ("The image is too large to process.")

    def test_it_refuses_what_pillow_calls_a_bomb(self) -> None:
        buffer = io.BytesIO()
        Image.new("1", (20000, 10000)).save(buffer, "PNG")  # 200 Mpx: over Pillow's own limit

        assert refusal(buffer.getvalue(), KLING_IMAGE) == "The image is too large to process."
