"""Data for the video tests; the end-to-end fixtures themselves are in tests/e2e.py."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from playground.accounts.models import User
from playground.uploads.models import Upload
from playground.uploads.rules import KLING_IMAGE
from playground.uploads.services import upload_create
from tests.factories import UserFactory


@pytest.fixture
def user(db: None) -> User:
    return UserFactory.create()


def png(width: int = 640, height: int = 360, color: str = "teal") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "PNG")
    return buffer.getvalue()


def stored_image(user: User, *, color: str = "teal", width: int = 640, height: int = 360) -> Upload:
    file = SimpleUploadedFile(f"{color}.png", png(width, height, color), content_type="image/png")
    return upload_create(user=user, file=file, rules=KLING_IMAGE)
