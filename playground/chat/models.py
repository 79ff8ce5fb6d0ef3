from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from playground.accounts.models import User


class Conversation(models.Model):
    """A chat and its parameters. The whole team can read it; only its owner changes it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversations"
    )
    title = models.CharField(max_length=200)
    model = models.CharField(max_length=200)
    system_prompt = models.TextField(blank=True)
    temperature = models.FloatField(default=0.7)
    top_p = models.FloatField(default=1.0)
    max_tokens = models.PositiveIntegerField(default=1024)
    forked_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="forks"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def is_owned_by(self, user: User) -> bool:
        return self.user_id == user.id


class ChatExchange(models.Model):
    """One message of the user and the answer to it. The message is saved first (pending), so
    nothing typed is lost; the answer, or what came of it, follows."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to start")
        STREAMING = "streaming", _("Answering")
        DONE = "done", _("Done")
        STOPPED = "stopped", _("Stopped")
        FAILED = "failed", _("Failed")

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="exchanges"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    # Set by Stop from any web process; the process running the answer looks at it.
    stop_requested = models.BooleanField(default=False)
    # The parameters the answer was asked with (the conversation's may change later).
    model = models.CharField(max_length=200)
    system_prompt = models.TextField(blank=True)
    temperature = models.FloatField()
    top_p = models.FloatField(null=True)
    max_tokens = models.PositiveIntegerField()
    message = models.TextField()
    reply = models.TextField(blank=True)
    finish_reason = models.CharField(max_length=40, blank=True)
    prompt_tokens = models.PositiveIntegerField(null=True)
    completion_tokens = models.PositiveIntegerField(null=True)
    total_tokens = models.PositiveIntegerField(null=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.model}: {self.message[:40]}"

    @property
    def succeeded(self) -> bool:
        return self.status == self.Status.DONE and not self.error

    @property
    def running(self) -> bool:
        return self.status in RUNNING

    @property
    def in_context(self) -> bool:
        """Whether later messages send this one as context: answered, at least in part."""
        return self.status in (self.Status.DONE, self.Status.STOPPED) and bool(self.reply)

    @property
    def note(self) -> str:
        """How the answer ended, in words, when that is not simply complete."""
        if self.status == self.Status.FAILED:
            return self.error
        if self.status == self.Status.STOPPED:
            return gettext("Stopped: the answer was cut off when Stop was pressed.")
        if self.finish_reason == "length":
            return gettext(
                "Cut short: the answer reached the max tokens limit (%(max_tokens)s)."
            ) % {"max_tokens": self.max_tokens}
        if self.finish_reason == "content_filter":
            return gettext(
                "The provider's content filter stopped this answer; what came before is kept."
            )
        return ""


# An answer in these is being run by some request or thread.
RUNNING = (ChatExchange.Status.PENDING, ChatExchange.Status.STREAMING)
