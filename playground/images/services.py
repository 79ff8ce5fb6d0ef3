"""Image generations from the form to the stored files.

The request is saved (pending) and committed before anything is sent, so a crash never loses
what was asked for; the gateway's answer is saved as soon as it comes (usage, links, per-image
errors), then each image is stored. Everything happens inside the one call to
`generation_run`: nothing waits on the browser, so images are saved if it has gone away.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import logging
import tempfile
import uuid
from typing import IO, Any, BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from PIL import Image, UnidentifiedImageError

from playground.accounts.models import User
from playground.gateway.client import GatewayClient
from playground.gateway.errors import GatewayError, GatewayOutcomeUnknownError
from playground.gateway.images import UNCONFIRMED, ImageGeneration
from playground.history.services import item_record
from playground.images.build import Params, image_request
from playground.images.models import LOST_AFTER, GeneratedImage, Generation
from playground.inspector.services import exchange_recording
from playground.notices.models import Notice
from playground.notices.services import notice_raise
from playground.teamkey.selectors import team_key_source
from playground.uploads.models import Upload
from playground.uploads.rules import ImageRules
from playground.uploads.services import upload_create
from playground.usage.models import Kind
from playground.usage.services import quota_check

logger = logging.getLogger(__name__)
State = Generation.State

LOST = (
    "The playground lost track of this request while waiting for the gateway: the images may "
    "have been made (and charged) upstream."
)
THUMBNAIL_SIDE = 480
DOWNLOAD_ATTEMPTS = 3
CHUNK = 1024 * 1024
CONTENT_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
NOTICE_OUTCOMES = {
    Generation.State.DONE: Notice.Outcome.SUCCEEDED,
    Generation.State.FAILED: Notice.Outcome.FAILED,
    Generation.State.UNKNOWN: Notice.Outcome.UNKNOWN,
}


def generation_create(
    *, user: User, params: Params, generation_id: uuid.UUID | None = None
) -> tuple[Generation, bool]:
    """Saves the request, pending, and commits it. Returns the generation and whether it is new.

    `generation_id` comes from the form, so a POST the browser sends again after a dropped
    connection finds the generation it already made instead of paying for a second one.
    """
    generation_id = generation_id or uuid.uuid4()
    existing = Generation.objects.filter(id=generation_id).first()
    if existing is not None:
        return existing, False
    # After the lookup: a POST resent after a dropped connection finds its own.
    quota_check(user=user, kind=Kind.IMAGES)
    generation = Generation(
        id=generation_id,
        user=user,
        model=params["model"],
        prompt=params["prompt"],
        params=params,
        request_body=image_request(params=params).to_json(record=True),
    )
    try:
        with transaction.atomic():
            generation.save(force_insert=True)
            item_record(kind="image", source_id=generation.id)
    except IntegrityError:  # the same POST, twice at once: the other one saved it first
        return Generation.objects.get(id=generation_id), False
    return generation, True


def generation_run(*, generation: Generation) -> Generation:
    """Sends a pending generation once, then stores what came back. A generation that another
    request already claimed is returned as it is."""
    claimed = Generation.objects.filter(id=generation.id, state=State.PENDING).update(
        state=State.RUNNING, started_at=timezone.now()
    )
    generation.refresh_from_db()
    if not claimed:
        return generation
    item_record(kind="image", source_id=generation.id)
    try:
        client = GatewayClient(key=team_key_source())
        try:
            with exchange_recording(kind="image", source_id=generation.id):
                answer = client.generate_images(image_request(params=generation.params))
        except GatewayOutcomeUnknownError as error:
            return _end(generation, State.UNKNOWN, error.message)
        except GatewayError as error:
            return _end(generation, State.FAILED, error.message)
        except ValidationError as error:
            return _end(generation, State.FAILED, " ".join(error.messages))
        rows = _record_answer(generation, answer)
        for row, item in zip(rows, answer.images, strict=True):
            if not row.error:
                _archive(row, b64_json=item.b64_json, client=client)
        return _end(generation, State.DONE, "")
    except Exception:
        # A bug, not the gateway: say what is known instead of leaving it "Generating".
        generation.refresh_from_db()
        if generation.state == State.RUNNING:
            _end(generation, State.UNKNOWN, UNCONFIRMED)
        elif generation.state == State.SAVING:
            _end(generation, State.DONE, gettext_noop("Some images could not be stored."))
        raise


def _end(generation: Generation, state: str, error: str) -> Generation:
    generation.state = state
    generation.error = error
    generation.finished_at = timezone.now()
    generation.save(update_fields=["state", "error", "finished_at"])
    item_record(kind="image", source_id=generation.id)
    generation_notice_raise(generation=generation)
    return generation


def generation_notice_raise(*, generation: Generation) -> Notice | None:
    """Called when a generation has just ended. Only a long one raises a notice: a request
    runs inside the browser's POST, so a short one is answered on the page that asked, while
    after NOTICE_IMAGE_AFTER_SECONDS its member has likely moved on to another tab or page."""
    outcome = NOTICE_OUTCOMES.get(Generation.State(generation.state))
    ended = generation.finished_at or timezone.now()
    took = (ended - generation.created_at).total_seconds()
    if outcome is None or took < settings.NOTICE_IMAGE_AFTER_SECONDS:
        return None
    return notice_raise(
        user_id=generation.user_id,
        kind=Notice.Kind.IMAGE,
        source_id=generation.id,
        title=generation.prompt,
        outcome=outcome,
    )


def _record_answer(generation: Generation, answer: ImageGeneration) -> list[GeneratedImage]:
    """Usage, links and per-image errors, kept before any download starts."""
    seed = generation.seed if generation.seed not in (None, -1) else None
    now = timezone.now()
    rows = [
        GeneratedImage(
            generation=generation,
            index=index,
            created_at=now,
            upstream_url=item.url or "",
            size=item.size or "",
            seed=seed,
            error=item.error
            or ("" if item.url or item.b64_json else gettext_noop("The gateway sent no image.")),
        )
        for index, item in enumerate(answer.images)
    ]
    with transaction.atomic():
        GeneratedImage.objects.bulk_create(rows)
        generation.state = State.SAVING
        generation.generated_images = answer.generated_images
        generation.total_tokens = answer.total_tokens
        generation.response_model = answer.model
        generation.save(
            update_fields=["state", "generated_images", "total_tokens", "response_model"]
        )
        item_record(kind="image", source_id=generation.id)
    return rows


def _archive(row: GeneratedImage, *, b64_json: str | None, client: GatewayClient) -> None:
    """Stores one image and its thumbnail; a failure becomes this image's error, in words."""
    with tempfile.TemporaryFile(prefix="image-") as data:
        try:
            if b64_json:
                data.write(_decode(b64_json))
            else:
                _download(row.upstream_url, data, client=client)
            _store(row, data)
        except GatewayError as error:
            _image_error(
                row,
                gettext_noop("The image could not be saved: %(error)s") % {"error": error.message},
            )
        except ValidationError as error:
            _image_error(row, " ".join(error.messages))


def _decode(b64_json: str) -> bytes:
    try:
        return base64.b64decode(b64_json, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(
            gettext_noop("The gateway sent an image that is not valid base64.")
        ) from None


def _download(url: str, into: BinaryIO, *, client: GatewayClient) -> None:
    for attempt in range(1, DOWNLOAD_ATTEMPTS + 1):
        into.seek(0)
        into.truncate()
        try:
            client.download(url, into, max_bytes=settings.IMAGES_MAX_BYTES)
            return
        except GatewayError as error:
            if not error.retryable or attempt == DOWNLOAD_ATTEMPTS:
                raise
            logger.info("image download failed (attempt %d), trying again", attempt)


def _store(row: GeneratedImage, data: IO[bytes]) -> None:
    data.seek(0)
    digest, size = hashlib.sha256(), 0
    for chunk in iter(lambda: data.read(CHUNK), b""):
        digest.update(chunk)
        size += len(chunk)
    data.seek(0)
    try:
        with Image.open(data) as picture:
            image_format = picture.format or ""
            width, height = picture.size
            picture.load()  # decodes it all: a truncated file is refused here
            picture.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
            thumbnail = io.BytesIO()
            picture.convert("RGB").save(thumbnail, "JPEG", quality=82)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            gettext_noop("The gateway sent a file that is not an image we can read.")
        ) from None
    if image_format not in CONTENT_TYPES:
        raise ValidationError(
            gettext_noop("The gateway sent a %(format)s image, which is not kept.")
            % {"format": image_format}
        )
    row.content_type = CONTENT_TYPES[image_format]
    row.width, row.height, row.bytes, row.sha256 = width, height, size, digest.hexdigest()
    name = f"{row.generation_id}-{row.index + 1}"
    data.seek(0)
    row.file.save(f"{name}.{row.extension}", File(data), save=False)
    row.thumbnail.save(f"{name}-thumb.jpg", ContentFile(thumbnail.getvalue()), save=False)
    row.save()


def _image_error(row: GeneratedImage, message: str) -> None:
    row.error = message
    row.save(update_fields=["error"])


def reference_create(*, user: User, image: GeneratedImage, rules: ImageRules) -> Upload:
    """The stored image as an upload, so an image or video form can take it as an input.
    Raises ValidationError, in words, when the target does not accept it."""
    if not image.is_stored:
        raise ValidationError(gettext("This image was not saved, so it cannot be used."))
    with image.file.open("rb") as stored:
        data: Any = stored.read()
    file = SimpleUploadedFile(
        f"seedream-{image.generation_id}-{image.index + 1}.{image.extension}",
        data,
        content_type=image.content_type,
    )
    return upload_create(user=user, file=file, rules=rules)


def generation_sweep() -> int:
    """Beat's safety net: a request the web process never finished (it died waiting for the
    gateway, or while storing the images) ends in a final state that says so, in words."""
    cutoff = timezone.now() - LOST_AFTER
    endings = [
        (
            Generation.objects.filter(state=State.PENDING, created_at__lt=cutoff),
            State.FAILED,
            gettext_noop(
                "The request was never sent: the server stopped first. Nothing was charged."
            ),
        ),
        (
            Generation.objects.filter(state=State.RUNNING, started_at__lt=cutoff),
            State.UNKNOWN,
            LOST,
        ),
        (
            Generation.objects.filter(state=State.SAVING, started_at__lt=cutoff),
            State.DONE,
            gettext_noop("The server stopped while storing the images: some may be missing."),
        ),
    ]
    ended: list[uuid.UUID] = []
    for rows, state, error in endings:
        ids = list(rows.values_list("id", flat=True))
        rows.filter(id__in=ids).update(state=state, error=error, finished_at=timezone.now())
        ended += ids
    for generation_id in ended:
        item_record(kind="image", source_id=generation_id)
    for generation in Generation.objects.filter(id__in=ended):
        generation_notice_raise(generation=generation)
    return len(ended)
