"""The team's history: one row per chat conversation, image request and video job.

A denormalised copy, written by `services.item_record` whenever the source changes state, so that
the history page reads one narrow table with the right indexes whatever the apps' tables hold.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# The text search configuration of the trigger of migration 0002, which fills Item.search.
SEARCH_CONFIG = "english"


# The sources' own state words (chat, images, videos), as a reader sees them.
STATE_LABELS = {
    "pending": _("pending"),
    "streaming": _("streaming"),
    "queued": _("queued"),
    "submitting": _("submitting"),
    "running": _("running"),
    "saving": _("saving"),
    "archiving": _("archiving"),
    "done": _("done"),
    "succeeded": _("succeeded"),
    "stopped": _("stopped"),
    "failed": _("failed"),
    "cancelled": _("cancelled"),
    "unknown": _("unknown"),
}


class Item(models.Model):
    class Kind(models.TextChoices):
        CHAT = "chat", _("Chat")
        IMAGE = "image", _("Image")
        VIDEO = "video", _("Video")
        COMPARE = "compare", _("Comparison")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    source_id = models.CharField(max_length=64)  # the chat, image or video row's id, as text
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    model = models.CharField(max_length=200)
    state = models.CharField(max_length=20)  # the source's own state word
    in_flight = models.BooleanField(default=False)
    title = models.TextField(blank=True)  # the prompt or the conversation's title
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True)
    duration_ms = models.PositiveBigIntegerField(null=True)
    media = models.CharField(max_length=300, blank=True)  # the thumbnail's or poster's URL
    # The title's words for full-text search, kept by a trigger on PostgreSQL (migration 0002,
    # with the GIN index); empty on SQLite, which searches with icontains.
    search = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "source_id"], name="history_item_source")
        ]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="history_item_recent"),
            models.Index(fields=["kind", "-created_at", "-id"], name="history_item_kind"),
            models.Index(fields=["user", "-created_at", "-id"], name="history_item_user"),
            models.Index(fields=["state", "-created_at", "-id"], name="history_item_state"),
            models.Index(fields=["model", "-created_at", "-id"], name="history_item_model"),
            models.Index(
                fields=["id"], condition=models.Q(in_flight=True), name="history_item_in_flight"
            ),
        ]
        # On PostgreSQL, migration 0002 adds a GIN index on `search`.

    def __str__(self) -> str:
        return f"{self.kind} {self.source_id}"

    @property
    def duration_text(self) -> str:
        if self.duration_ms is None:
            return ""
        seconds = self.duration_ms / 1000
        if seconds < 60:
            return gettext("%(seconds)s s") % {"seconds": f"{seconds:.1f}"}
        minutes, rest = divmod(int(seconds), 60)
        return gettext("%(minutes)s min %(seconds)s s") % {
            "minutes": minutes,
            "seconds": f"{rest:02d}",
        }

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS.get(self.state, self.state))


class Event(models.Model):
    """A state the item reached, and when: the timeline on the detail page."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="events")
    state = models.CharField(max_length=20)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.state}"

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS.get(self.state, self.state))
