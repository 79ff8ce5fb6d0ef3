import logging
import math
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from playground.teamkey.crypto import SealedKey

# The team has one key, so the table has one row, always with this id.
SINGLETON_ID = 1
HINT_TAIL = 4
# "Last used" is precise to this much: at most one write per key per interval, not one per call.
LAST_USED_INTERVAL = timedelta(minutes=1)

logger = logging.getLogger("playground.teamkey")
_recorded: dict[str, float] = {}  # when this process last recorded a use, per key


def key_hint(plaintext: str) -> str:
    """Enough of a key to recognise it: `sk-…a1b2`, or just `…a1b2` for short or odd keys."""
    prefix, dash, _ = plaintext.partition("-")
    tail = plaintext[-HINT_TAIL:]
    if dash and prefix.isalnum() and len(prefix) <= 6 and len(plaintext) >= 16:
        return f"{prefix}-…{tail}"
    return f"…{tail}"


class TeamKey(models.Model):
    """The team's one gateway key, encrypted. The plaintext is never stored in any column."""

    ciphertext = models.TextField()
    hint = models.CharField(max_length=16)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A snapshot, so "who set it" survives the user's deletion; "system" for the setup command.
    set_by_name = models.CharField(max_length=150)
    set_at = models.DateTimeField(default=timezone.now)
    last_tested_at = models.DateTimeField(null=True)
    last_test_ok = models.BooleanField(null=True)
    last_test_message = models.TextField(blank=True)
    # When the gateway client last used it (chat, images, videos, the key test), to the minute.
    last_used_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=SINGLETON_ID), name="teamkey_single_row")
        ]

    def __str__(self) -> str:
        return f"Team key {self.hint}"

    def sealed(self) -> SealedKey:
        """The key for the gateway client; each use is recorded as `last_used_at`."""
        return SealedKey(ciphertext=self.ciphertext, hint=self.hint, on_reveal=self.record_use)

    def record_use(self) -> None:
        """Sets `last_used_at`, at most once a minute across every process sharing the cache
        (the database check below covers processes that do not share one). Never raises: a
        gateway call must not fail because its bookkeeping did."""
        seconds = int(LAST_USED_INTERVAL.total_seconds())
        marker = f"teamkey:used:{self.pk}:{self.set_at.timestamp()}"
        # This process's own memory first: most calls then cost no round trip to the cache
        # before the gateway is asked (a chat's first token waits on it).
        if time.monotonic() - _recorded.get(marker, -math.inf) < seconds:
            return
        _recorded[marker] = time.monotonic()
        try:
            if not cache.add(marker, 1, seconds):
                return
            now = timezone.now()
            TeamKey.objects.filter(id=self.pk, set_at=self.set_at).filter(
                models.Q(last_used_at__isnull=True)
                | models.Q(last_used_at__lt=now - LAST_USED_INTERVAL)
            ).update(last_used_at=now)
        except Exception:
            logger.warning("Could not record that the team key was used.", exc_info=True)


class KeyAuditEvent(models.Model):
    class Action(models.TextChoices):
        SET = "set", _("set")
        REPLACE = "replace", _("replace")
        TEST = "test", _("test")
        REVOKE = "revoke", _("revoke")
        ROTATE = "rotate", _("re-encrypt")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150)
    action = models.CharField(max_length=16, choices=Action)
    outcome = models.TextField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.actor_name} {self.action}: {self.outcome}"
