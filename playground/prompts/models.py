"""The team's prompt library: saved prompts and system prompts, with `{{variables}}`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from playground.accounts.models import User
from playground.prompts.variables import variables

MAX_TAGS = 10
MAX_TAG_LENGTH = 40


def tags_normalise(raw: str) -> list[str]:
    """Comma-separated tags as the library stores them: trimmed, lower-case, inner spaces
    collapsed, empty ones and repeats dropped, in the order given."""
    found = (" ".join(part.split()).lower()[:MAX_TAG_LENGTH] for part in raw.split(","))
    return list(dict.fromkeys(tag for tag in found if tag))


class Prompt(models.Model):
    class Kind(models.TextChoices):
        PROMPT = "prompt", _("Prompt")
        SYSTEM = "system", _("System prompt")

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PROMPT)
    text = models.TextField(_("text"))
    # Normalised tags joined by commas ("portrait,winter"): few per prompt and a small library,
    # so a column the tag filter matches exactly is enough (see selectors.prompt_filter).
    tags = models.CharField(_("tags"), max_length=500, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="prompts"
    )
    use_count = models.PositiveIntegerField(_("uses"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="prompts_prompt_newest"),
            models.Index(fields=["-use_count", "-id"], name="prompts_prompt_most_used"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def tag_list(self) -> list[str]:
        return self.tags.split(",") if self.tags else []

    @property
    def variables(self) -> list[str]:
        return variables(self.text)

    def can_change(self, user: User) -> bool:
        """Everyone reads the library; only the author or an admin edits or deletes a prompt."""
        return self.author_id == user.id or user.is_admin
