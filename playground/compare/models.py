"""A comparison: one prompt sent to 2 to 4 models (or parameter sets), each column an ordinary
chat exchange, image generation or video job, so that the chat, images and videos apps run it
and keep it as they keep any other."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from playground.accounts.models import User
from playground.chat.models import ChatExchange
from playground.images.models import Generation
from playground.videos.models import VideoJob

MIN_COLUMNS = 2
MAX_COLUMNS = 4


class Comparison(models.Model):
    class Kind(models.TextChoices):
        CHAT = "chat", _("Chat")
        IMAGE = "image", _("Images")
        VIDEO = "video", _("Video")

    class State(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    # A UUID: the comparison's link is shared, and the form carries it so a resent POST finds it.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    prompt = models.TextField()
    # Derived from the columns by `comparison_refresh`, for the history.
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    rerun_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reruns"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.prompt[:40]}"

    def is_owned_by(self, user: User) -> bool:
        return self.user_id == user.id


class Column(models.Model):
    """One model (and its parameters) of a comparison, and the ordinary row it produced."""

    comparison = models.ForeignKey(Comparison, on_delete=models.CASCADE, related_name="columns")
    position = models.PositiveSmallIntegerField()
    model = models.CharField(max_length=200)
    # What the source row was made from: chat settings, a generation's or a video job's params.
    params = models.JSONField(default=dict)
    exchange = models.ForeignKey(ChatExchange, null=True, on_delete=models.SET_NULL)
    generation = models.ForeignKey(Generation, null=True, on_delete=models.SET_NULL)
    video_job = models.ForeignKey(VideoJob, null=True, on_delete=models.SET_NULL)
    # A chat column's figures, measured on the server while the answer streamed.
    ttft_ms = models.PositiveIntegerField(null=True)  # time to first token
    total_ms = models.PositiveIntegerField(null=True)
    tokens = models.PositiveIntegerField(null=True)  # completion tokens, as the gateway counted

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["comparison", "position"], name="compare_column_place")
        ]

    def __str__(self) -> str:
        return f"{self.comparison_id} #{self.position}: {self.model}"

    @property
    def tokens_per_second(self) -> float | None:
        """Generation speed: tokens over the time from the first token to the last."""
        if not self.tokens or self.total_ms is None or self.ttft_ms is None:
            return None
        seconds = (self.total_ms - self.ttft_ms) / 1000 or self.total_ms / 1000
        return round(self.tokens / seconds, 1) if seconds > 0 else None

    @property
    def aspect_ratio(self) -> str:
        """A video column's: Seedance calls it `ratio`, Kling `aspect_ratio`."""
        return str(self.params.get("ratio") or self.params.get("aspect_ratio") or "")

    @property
    def running(self) -> bool:
        if self.exchange is not None:
            return self.exchange.running
        if self.generation is not None:
            return not self.generation.is_final
        if self.video_job is not None:
            return not self.video_job.is_final
        return False

    @property
    def failed(self) -> bool:
        if self.exchange is not None:
            return self.exchange.status == ChatExchange.Status.FAILED
        if self.generation is not None:
            return self.generation.state in (Generation.State.FAILED, Generation.State.UNKNOWN)
        if self.video_job is not None:
            return self.video_job.is_final and self.video_job.state != VideoJob.State.SUCCEEDED
        return True  # its source row was deleted
