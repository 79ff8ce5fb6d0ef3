# factory_boy's declarations have no type hints.
# mypy: disallow-untyped-calls=False
"""Video jobs in any state, without a worker: rows as the services would have left them."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone
from factory.declarations import LazyAttribute, LazyFunction, SubFactory
from factory.django import DjangoModelFactory

from playground.videos.models import VideoJob
from tests.factories import UserFactory

SEEDANCE_MODEL = "doubao-seedance-1-0-pro-250528"


def fake_mp4(size: int = 4096) -> bytes:
    """Bytes that start like an MP4 (a `ftyp` box), then a counting pattern, to check ranges."""
    head = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"
    return (head + bytes(i % 251 for i in range(size)))[:size]


class VideoJobFactory(DjangoModelFactory[VideoJob]):
    """A Seedance text-to-video job, queued; pass `state=` and friends for the others."""

    class Meta:
        model = VideoJob

    user = SubFactory(UserFactory)
    action = VideoJob.Action.SEEDANCE
    model = SEEDANCE_MODEL
    prompt = "a cat at a piano"
    params = LazyAttribute(
        lambda job: {
            "model": job.model,
            "prompt": job.prompt,
            "first_frame": None,
            "last_frame": None,
            "reference_images": [],
            "ratio": "",
            "resolution": "",
            "duration": 5,
            "seed": None,
            "camera_fixed": False,
            "watermark": False,
        }
    )
    request_body = LazyAttribute(lambda job: {"model": job.model, "content": []})
    created_at = LazyFunction(timezone.now)
    deadline_at = LazyAttribute(lambda job: job.created_at + timedelta(minutes=30))


class ArchivedVideoJobFactory(VideoJobFactory):
    """A succeeded job with its MP4 and poster in storage (set MEDIA_ROOT to a temp dir)."""

    state = VideoJob.State.SUCCEEDED
    upstream_task_id = "cgt-20260101-sim"
    upstream_status = "succeeded"
    progress = 100
    submitted_at = LazyAttribute(lambda job: job.created_at)
    ended_at = LazyAttribute(lambda job: job.created_at + timedelta(seconds=60))
    finished_at = LazyAttribute(lambda job: job.created_at + timedelta(seconds=65))
    video = LazyFunction(lambda: ContentFile(fake_mp4(), name="video.mp4"))
    poster = LazyFunction(lambda: ContentFile(b"\xff\xd8\xff\xe0poster", name="poster.jpg"))
    video_size = 4096
