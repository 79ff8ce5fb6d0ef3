"""Storing images users upload or have fetched, checked against a model's image rules."""

from __future__ import annotations

import hashlib
import posixpath
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from playground.gateway.fetch import FetchError, fetch_image
from playground.stored_text import translate_stored
from playground.uploads.models import Upload
from playground.uploads.rules import ImageInfo, ImageRules, image_check, image_size_check

if TYPE_CHECKING:
    from playground.accounts.models import User

EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}
NAME_LENGTH = 255
READ_CHUNK = 1024 * 1024


def upload_create(*, user: User | None, file: UploadedFile[bytes], rules: ImageRules) -> Upload:
    """Stores an uploaded image after checking it; the same image from the same user is reused."""
    if file.size is not None:
        image_size_check(file.size, rules)
    data = _read_capped(file, rules)
    info = image_check(data, rules)
    name = posixpath.basename((file.name or "").replace("\\", "/"))
    return _store(user=user, data=data, info=info, original_name=name, source_url="")


def upload_create_from_url(*, user: User | None, url: str, rules: ImageRules) -> Upload:
    """Fetches an image from a URL a user typed (safely: see gateway.fetch), checks and stores it.

    In local mode the simulator's host is allowed, so its media URLs (on 127.0.0.1) can be used.
    """
    try:
        fetched = fetch_image(url, max_bytes=rules.max_bytes, allowed_hosts=_allowed_hosts())
    except FetchError as error:
        raise ValidationError(translate_stored(error.message), code="fetch") from None
    info = image_check(fetched.content, rules)
    name = posixpath.basename(unquote(urlsplit(fetched.final_url).path))
    return _store(user=user, data=fetched.content, info=info, original_name=name, source_url=url)


def _allowed_hosts() -> tuple[str, ...]:
    if settings.PRODUCTION:
        return ()
    netloc = urlsplit(settings.STARRISE_BASE_URL).netloc
    return (netloc,) if netloc else ()


def _read_capped(file: UploadedFile[bytes], rules: ImageRules) -> bytes:
    """Reads at most one byte past the limit, so a file that lied about its size is refused."""
    file.seek(0)
    chunks: list[bytes] = []
    size = 0
    while size <= rules.max_bytes:
        chunk = file.read(min(READ_CHUNK, rules.max_bytes + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    data = b"".join(chunks)
    image_size_check(len(data), rules)
    return data


def _store(
    *, user: User | None, data: bytes, info: ImageInfo, original_name: str, source_url: str
) -> Upload:
    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        if user is not None:
            existing = Upload.objects.filter(created_by=user, sha256=digest).first()
            if existing is not None:
                return existing
        upload = Upload(
            created_by=user,
            original_name=original_name[:NAME_LENGTH],
            source_url=source_url,
            content_type=info.content_type,
            size=len(data),
            width=info.width,
            height=info.height,
            sha256=digest,
        )
        # The stored name is ours; the user's file name is only shown.
        upload.file.save(f"{digest[:32]}.{EXTENSIONS[info.content_type]}", ContentFile(data))
        upload.save()
    return upload
