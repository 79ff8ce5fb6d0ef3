# factory_boy's declarations have no type hints.
# mypy: disallow-untyped-calls=False
"""Generations and their images as the services leave them, without the gateway."""

from __future__ import annotations

import hashlib
import io
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone
from factory.declarations import LazyAttribute, LazyFunction, SubFactory
from factory.django import DjangoModelFactory
from PIL import Image

from playground.images.models import GeneratedImage, Generation
from tests.factories import UserFactory

MODEL_4 = "doubao-seedream-4-0-250828"
MODEL_45 = "doubao-seedream-4-5-251128"
MODEL_3 = "doubao-seedream-3-0-t2i-250415"


def png(width: int = 512, height: int = 512, color: str = "orange") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "PNG")
    return buffer.getvalue()


def params(**changes: Any) -> dict[str, Any]:
    """What the form saves for a plain 4.0 request; pass fields to change."""
    return {
        "model": MODEL_4,
        "prompt": "a lighthouse at dusk",
        "size": None,
        "seed": None,
        "guidance_scale": None,
        "watermark": False,
        "response_format": "url",
        "references": [],
        "sequential": False,
        "max_images": None,
    } | changes


class GenerationFactory(DjangoModelFactory[Generation]):
    """A finished generation (add images with GeneratedImageFactory)."""

    class Meta:
        model = Generation

    user = SubFactory(UserFactory)
    model = MODEL_4
    prompt = "a lighthouse at dusk"
    params = LazyAttribute(lambda generation: params(prompt=generation.prompt))
    request_body = LazyAttribute(
        lambda generation: {"model": generation.model, "prompt": generation.prompt}
    )
    state = Generation.State.DONE
    generated_images = 1
    total_tokens = 1024
    created_at = LazyFunction(timezone.now)
    finished_at = LazyFunction(timezone.now)


class GeneratedImageFactory(DjangoModelFactory[GeneratedImage]):
    """A stored 512x512 PNG with its thumbnail (set MEDIA_ROOT to a temp dir)."""

    class Meta:
        model = GeneratedImage

    class Params:
        data = LazyFunction(png)

    generation = SubFactory(GenerationFactory)
    index = 0
    size = "512x512"
    content_type = "image/png"
    width = 512
    height = 512
    bytes = LazyAttribute(lambda image: len(image.data))
    sha256 = LazyAttribute(lambda image: hashlib.sha256(image.data).hexdigest())
    file = LazyAttribute(lambda image: ContentFile(image.data, name="image.png"))
    thumbnail = LazyFunction(lambda: ContentFile(b"\xff\xd8\xff\xe0thumb", name="thumb.jpg"))
