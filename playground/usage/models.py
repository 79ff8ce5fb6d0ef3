"""Admins' daily limits per user. What was used is never stored here: it is counted from the
chat, image and video tables, so it can never drift from what really happened."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """What a daily limit counts. The label is the plural noun the refusal sentence uses."""

    CHAT_TOKENS = "chat_tokens", _("chat tokens")
    IMAGES = "images", _("images")
    VIDEO_JOBS = "video_jobs", _("video jobs")

    def amount(self, n: int) -> str:
        """How many, in words: "1 image", "1,200 chat tokens"."""
        count = number_format(n, force_grouping=True)
        if self == Kind.CHAT_TOKENS:
            return ngettext("%(count)s chat token", "%(count)s chat tokens", n) % {"count": count}
        if self == Kind.IMAGES:
            return ngettext("%(count)s image", "%(count)s images", n) % {"count": count}
        return ngettext("%(count)s video job", "%(count)s video jobs", n) % {"count": count}


class Quota(models.Model):
    """One user's daily limits; a blank limit is unlimited, and 0 allows nothing."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quota"
    )
    chat_tokens = models.PositiveIntegerField(null=True, blank=True)
    images = models.PositiveIntegerField(null=True, blank=True)
    video_jobs = models.PositiveIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Daily limits of {self.user_id}"

    def limit(self, kind: Kind) -> int | None:
        value: int | None = getattr(self, kind.value)
        return value

    def describe(self) -> str:
        """The limits in words, in the active language: "chat tokens 10,000, images unlimited"."""
        unlimited = gettext("unlimited")
        return ", ".join(
            f"{kind.label} {unlimited if (n := self.limit(kind)) is None else f'{n:,}'}"
            for kind in Kind
        )
