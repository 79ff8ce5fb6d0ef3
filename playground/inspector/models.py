"""The request inspector: each gateway call as it went over the wire, kept for a few days."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.db import models
from django.utils.translation import gettext_lazy as _


class Exchange(models.Model):
    """One call to the gateway made for a chat message, an image request or a video job: the
    request as sent (never the key), the answer (for a stream, each event with its offset), the
    timings, and each attempt of the retry policy. Texts are cut to INSPECTOR_MAX_BYTES."""

    class Kind(models.TextChoices):
        CHAT = "chat", _("Chat message")
        IMAGE = "image", _("Image request")
        VIDEO = "video", _("Video job")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    source_id = models.CharField(_("source"), max_length=64)  # the source row's id, as text
    method = models.CharField(_("method"), max_length=10)
    url = models.TextField(_("URL"))
    stream = models.BooleanField(_("streamed"), default=False)
    request_headers = models.JSONField(_("request headers"), default=dict)
    request_body = models.TextField(_("request body"), blank=True)
    status = models.PositiveSmallIntegerField(_("status"), null=True)
    response_headers = models.JSONField(_("response headers"), default=dict)
    response_body = models.TextField(_("response body"), blank=True)
    # [{"offset_ms", "data"}], one per line of a streamed answer.
    events = models.JSONField(_("events"), default=list)
    error = models.TextField(_("error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"))
    first_byte_ms = models.PositiveIntegerField(_("first byte (ms)"), null=True)
    first_token_ms = models.PositiveIntegerField(_("first token (ms)"), null=True)
    last_byte_ms = models.PositiveIntegerField(_("last byte (ms)"), null=True)
    # [{"number", "sent_ms", "duration_ms", "status", "outcome", "wait_s", "retry_after_s"}]
    attempts = models.JSONField(_("attempts"), default=list)
    # What the size cap left out: the bytes of each text as it came, and the events dropped.
    request_bytes = models.PositiveIntegerField(default=0)
    response_bytes = models.PositiveIntegerField(default=0)
    events_dropped = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["kind", "source_id", "id"], name="inspector_source"),
            models.Index(fields=["created_at"], name="inspector_created"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.url}"

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def request_cut(self) -> bool:
        return len(self.request_body.encode()) < self.request_bytes

    @property
    def response_cut(self) -> bool:
        return len(self.response_body.encode()) < self.response_bytes
