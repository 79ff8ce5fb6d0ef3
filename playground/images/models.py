"""A Seedream request and the images it made, archived in the playground's own storage."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A request still `running` this long after it started was lost (the process died mid-call).
LOST_AFTER = timedelta(minutes=15)


class Generation(models.Model):
    """One POST /v1/images/generations: saved before it is sent, updated with what came back."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Generating")
        SAVING = "saving", _("Saving")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        UNKNOWN = "unknown", _("Unknown outcome")

    # The id comes from the form, so a POST resent after a dropped connection finds this row.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    model = models.CharField(max_length=100)
    prompt = models.TextField()
    # The form's values, so a rerun opens the form as it was (images as upload ids or URLs).
    params = models.JSONField(default=dict)
    # The body as sent, images by URL or `upload:<id>`: never base64 in the database.
    request_body = models.JSONField(default=dict)

    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    error = models.TextField(blank=True)  # why the whole request failed, in words
    # The gateway's usage figures, as it reported them (0 is kept as 0).
    generated_images = models.PositiveIntegerField(null=True)
    total_tokens = models.PositiveIntegerField(null=True)
    response_model = models.CharField(max_length=100, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)

    ACTIVE = (State.PENDING, State.RUNNING, State.SAVING)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.model}: {self.prompt[:40]}"

    @property
    def is_final(self) -> bool:
        return self.state not in self.ACTIVE or self.looks_lost

    @property
    def looks_lost(self) -> bool:
        """Sent long ago and never finished: the process died while waiting for the gateway."""
        started = self.started_at or self.created_at
        return self.state in self.ACTIVE and timezone.now() - started > LOST_AFTER

    @property
    def seed(self) -> int | None:
        seed = self.params.get("seed")
        return int(seed) if seed is not None else None


class GeneratedImage(models.Model):
    """One item of the gateway's answer: a stored image with its thumbnail, or its error."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    generation = models.ForeignKey(Generation, on_delete=models.CASCADE, related_name="images")
    index = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    upstream_url = models.TextField(blank=True)  # the gateway's link; it expires
    size = models.CharField(max_length=20, blank=True)  # as the gateway reported it: 2048x2048
    seed = models.BigIntegerField(null=True)  # the seed asked for; None when left to chance
    error = models.TextField(blank=True)  # why this one image is missing, in words

    file = models.FileField(upload_to="images/%Y/%m/", blank=True)
    thumbnail = models.FileField(upload_to="images/%Y/%m/", blank=True)
    content_type = models.CharField(max_length=50, blank=True)
    width = models.PositiveIntegerField(null=True)
    height = models.PositiveIntegerField(null=True)
    bytes = models.PositiveBigIntegerField(null=True)
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "index"]
        constraints = [
            models.UniqueConstraint(fields=["generation", "index"], name="generatedimage_index")
        ]
        indexes = [models.Index(fields=["-created_at", "index"], name="generatedimage_recent")]

    def __str__(self) -> str:
        return f"{self.generation_id} #{self.index + 1}"

    @property
    def is_stored(self) -> bool:
        return bool(self.file)

    @property
    def extension(self) -> str:
        return {"image/jpeg": "jpg", "image/webp": "webp"}.get(self.content_type, "png")
