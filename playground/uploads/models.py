from __future__ import annotations

from uuid import uuid4

from django.conf import settings
from django.db import models

from playground.gateway.media import ImageSource


class Upload(models.Model):
    """An image a user uploaded or had fetched, kept with the job so a rerun can reuse it."""

    id = models.UUIDField(primary_key=True, default=uuid4, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="uploads",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    file = models.FileField(upload_to="uploads/%Y/%m/")
    original_name = models.CharField(max_length=255, blank=True)
    # The URL as the user typed it, when the image was fetched rather than uploaded.
    source_url = models.URLField(max_length=2000, blank=True)
    content_type = models.CharField(max_length=50)
    size = models.PositiveBigIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name or self.reference

    @property
    def reference(self) -> str:
        """How a saved job refers to this image instead of holding its bytes."""
        return f"upload:{self.id}"

    def read(self) -> bytes:
        with self.file.open("rb") as stored:
            data = stored.read()
        assert isinstance(data, bytes)
        return data

    def as_image_source(self, *, url: str | None = None) -> ImageSource:
        """The image for the gateway: sent as `url` when given, else as the stored bytes."""
        return ImageSource(
            url=url, reference=self.reference, content_type=self.content_type, read=self.read
        )
