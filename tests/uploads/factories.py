# factory_boy's declarations have no type hints.
# mypy: disallow-untyped-calls=False
"""Real images made with Pillow, and stored uploads of them."""

from __future__ import annotations

import hashlib
import io
import os

from django.core.files.base import ContentFile
from factory.declarations import LazyAttribute, SubFactory
from factory.django import DjangoModelFactory
from PIL import Image

from playground.uploads.models import Upload
from tests.factories import UserFactory

CONTENT_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp", "GIF": "image/gif"}


def image_bytes(width: int = 400, height: int = 300, image_format: str = "PNG") -> bytes:
    """A plain image of the given size and format."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 60, 30)).save(buffer, image_format)
    return buffer.getvalue()


def noise_png(width: int, height: int) -> bytes:
    """Random pixels: a PNG that does not compress, about three bytes per pixel."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(buffer, "PNG")
    return buffer.getvalue()


class UploadFactory(DjangoModelFactory[Upload]):
    class Meta:
        model = Upload

    class Params:
        data = LazyAttribute(lambda upload: image_bytes(upload.width, upload.height))

    created_by = SubFactory(UserFactory)
    width = 400
    height = 300
    content_type = "image/png"
    original_name = "fox.png"
    size = LazyAttribute(lambda upload: len(upload.data))
    sha256 = LazyAttribute(lambda upload: hashlib.sha256(upload.data).hexdigest())
    file = LazyAttribute(lambda upload: ContentFile(upload.data, name="fox.png"))
