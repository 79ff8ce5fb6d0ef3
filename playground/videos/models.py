"""A video job: the database is its source of truth, from the form to the archived MP4."""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


def new_callback_token() -> str:
    return secrets.token_urlsafe(32)


class VideoJob(models.Model):
    class Action(models.TextChoices):
        SEEDANCE = "seedance", _("Seedance")
        TEXT2VIDEO = "text2video", _("Kling text to video")
        IMAGE2VIDEO = "image2video", _("Kling image to video")
        MULTI_IMAGE2VIDEO = "multi-image2video", _("Kling multi-image to video")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SUBMITTING = "submitting", _("Submitting")
        RUNNING = "running", _("Running")
        ARCHIVING = "archiving", _("Archiving")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        UNKNOWN = "unknown", _("Unknown")
        CANCELLED = "cancelled", _("Cancelled")

    # The id doubles as Kling's external_task_id, which Kling keeps unique per account: a UUID
    # stays unique across databases, where a counter would repeat after a fresh install.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    action = models.CharField(max_length=20, choices=Action.choices)
    model = models.CharField(max_length=100)
    prompt = models.TextField(blank=True)
    # The form's values, so that a rerun opens the form as it was (images as upload ids or URLs).
    params = models.JSONField(default=dict)
    # The body as sent to the gateway, images by reference: never base64 in the database.
    request_body = models.JSONField(default=dict)

    state = models.CharField(max_length=12, choices=State.choices, default=State.QUEUED)
    upstream_task_id = models.CharField(max_length=100, blank=True, db_index=True)
    upstream_status = models.CharField(max_length=40, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    # Why the job is waiting (a rate limit, a poll being retried), in words; cleared on progress.
    notice = models.TextField(blank=True)
    fail_reason = models.TextField(blank=True)
    video_url = models.TextField(blank=True)  # the gateway's link; it expires

    callback_token = models.CharField(max_length=64, unique=True, default=new_callback_token)
    next_check_at = models.DateTimeField(null=True)  # when the sweeper next wakes this job
    lease_until = models.DateTimeField(null=True)  # a worker's claim on submitting or archiving
    deadline_at = models.DateTimeField()
    submit_attempts = models.PositiveSmallIntegerField(default=0)
    poll_count = models.PositiveIntegerField(default=0)
    poll_errors = models.PositiveSmallIntegerField(default=0)
    archive_attempts = models.PositiveSmallIntegerField(default=0)
    gateway_calls = models.PositiveIntegerField(default=0)

    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True)
    ended_at = models.DateTimeField(null=True)  # when the playground learned it ended upstream
    finished_at = models.DateTimeField(null=True)  # when it became final here

    video = models.FileField(upload_to="videos/%Y/%m/", blank=True)
    poster = models.FileField(upload_to="videos/%Y/%m/", blank=True)
    video_size = models.PositiveBigIntegerField(null=True)
    video_sha256 = models.CharField(max_length=64, blank=True)

    ACTIVE = (State.QUEUED, State.SUBMITTING, State.RUNNING, State.ARCHIVING)
    CANCELLABLE = (State.QUEUED, State.SUBMITTING, State.RUNNING)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["state", "next_check_at"], name="videojob_due"),
            models.Index(fields=["-created_at"], name="videojob_recent"),
            models.Index(fields=["model", "state", "-ended_at"], name="videojob_model_history"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.id}"

    @property
    def is_final(self) -> bool:
        return self.state not in self.ACTIVE

    @property
    def is_kling(self) -> bool:
        return self.action != self.Action.SEEDANCE

    @property
    def can_cancel(self) -> bool:
        return self.state in self.CANCELLABLE

    @property
    def elapsed(self) -> timedelta:
        return (self.finished_at or timezone.now()) - self.created_at

    @property
    def elapsed_text(self) -> str:
        minutes, seconds = divmod(int(self.elapsed.total_seconds()), 60)
        if minutes:
            return gettext("%(minutes)s min %(seconds)s s") % {
                "minutes": minutes,
                "seconds": f"{seconds:02d}",
            }
        return gettext("%(seconds)s s") % {"seconds": seconds}
