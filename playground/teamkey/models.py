from django.conf import settings
from django.db import models
from django.utils import timezone

from playground.teamkey.crypto import SealedKey

# The team has one key, so the table has one row, always with this id.
SINGLETON_ID = 1
HINT_TAIL = 4


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

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=SINGLETON_ID), name="teamkey_single_row")
        ]

    def __str__(self) -> str:
        return f"Team key {self.hint}"

    def sealed(self) -> SealedKey:
        return SealedKey(ciphertext=self.ciphertext, hint=self.hint)


class KeyAuditEvent(models.Model):
    class Action(models.TextChoices):
        SET = "set", "set"
        REPLACE = "replace", "replace"
        TEST = "test", "test"
        REVOKE = "revoke", "revoke"
        ROTATE = "rotate", "re-encrypt"

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
