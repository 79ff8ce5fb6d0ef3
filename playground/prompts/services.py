"""Writes to the prompt library. Only a prompt's author or an admin changes or deletes it."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.utils.translation import gettext

from playground.accounts.models import User
from playground.prompts.models import Prompt, tags_normalise
from playground.prompts.variables import fill


def _must_change(prompt: Prompt, actor: User) -> None:
    if not prompt.can_change(actor):
        raise PermissionDenied(gettext("Only its author or an admin can change this prompt."))


def prompt_create(*, author: User, title: str, kind: str, text: str, tags: list[str]) -> Prompt:
    return Prompt.objects.create(
        author=author,
        title=title.strip(),
        kind=kind,
        text=text,
        tags=",".join(tags_normalise(",".join(tags))),
    )


def prompt_update(
    *, actor: User, prompt: Prompt, title: str, kind: str, text: str, tags: list[str]
) -> Prompt:
    _must_change(prompt, actor)
    prompt.title = title.strip()
    prompt.kind = kind
    prompt.text = text
    prompt.tags = ",".join(tags_normalise(",".join(tags)))
    prompt.save(update_fields=["title", "kind", "text", "tags", "updated_at"])
    return prompt


def prompt_delete(*, actor: User, prompt: Prompt) -> None:
    _must_change(prompt, actor)
    prompt.delete()


def prompt_use(*, prompt: Prompt, values: Mapping[str, str]) -> str:
    """The prompt's text filled in with the values, counted as one use. Raises MissingValueError
    (and counts nothing) when a variable has no value."""
    text = fill(prompt.text, values)
    # F(): two members using the same prompt at once both count.
    Prompt.objects.filter(id=prompt.id).update(use_count=F("use_count") + 1)
    return text
