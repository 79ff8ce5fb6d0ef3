"""A notice that one of my video jobs or long image requests has ended, and how I want to hear
of it beyond the header's badge."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrPromise


class Notice(models.Model):
    class Kind(models.TextChoices):
        VIDEO = "video", _("Video job")
        IMAGE = "image", _("Image request")

    class Outcome(models.TextChoices):
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        UNKNOWN = "unknown", _("Unknown outcome")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # The VideoJob's or Generation's id: both are UUIDs.
    source_id = models.UUIDField()
    title = models.CharField(max_length=200, blank=True)  # the prompt's start
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    created_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            # A job ends once: however many workers see it end, it raises one notice.
            models.UniqueConstraint(
                fields=["user", "kind", "source_id"], name="notice_once_per_source"
            ),
        ]
        indexes = [
            # The badge's one query: my unseen notices, newest first.
            models.Index(
                fields=["user", "-id"],
                condition=models.Q(seen_at__isnull=True),
                name="notice_unseen",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.source_id}: {self.get_outcome_display()}"

    @property
    def headline(self) -> str:
        return str(HEADLINES[(self.kind, self.outcome)])

    @property
    def result_url(self) -> str:
        if self.kind == self.Kind.VIDEO:
            return reverse("videos:job", args=[self.source_id])
        return reverse("images:generation", args=[self.source_id])


HEADLINES: dict[tuple[str, str], StrPromise] = {
    (Notice.Kind.VIDEO, Notice.Outcome.SUCCEEDED): _("Your video is ready"),
    (Notice.Kind.VIDEO, Notice.Outcome.FAILED): _("Your video job failed"),
    (Notice.Kind.VIDEO, Notice.Outcome.UNKNOWN): _("Your video job ended, outcome unknown"),
    (Notice.Kind.IMAGE, Notice.Outcome.SUCCEEDED): _("Your images are ready"),
    (Notice.Kind.IMAGE, Notice.Outcome.FAILED): _("Your image request failed"),
    (Notice.Kind.IMAGE, Notice.Outcome.UNKNOWN): _("Your image request ended, outcome unknown"),
}


class Preference(models.Model):
    """How a member hears of their notices besides the badge and the toast; no row means off."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preference"
    )
    browser_notifications = models.BooleanField(
        _("browser notifications"),
        default=False,
        help_text=_("A notification from this browser when a job ends while its tab is hidden."),
    )
    email = models.BooleanField(
        _("e-mail"), default=False, help_text=_("An e-mail when a job ends.")
    )

    def __str__(self) -> str:
        return f"notice preference of {self.user_id}"
