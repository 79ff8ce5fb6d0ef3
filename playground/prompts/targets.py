"""The forms a library prompt can fill in: chat, images and videos, and which field of each."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from playground.prompts.models import Prompt

TAB = re.compile(r"^[a-z0-9_]{1,40}$")


@dataclass(frozen=True)
class Target:
    name: str
    label: str | Promise
    url_name: str
    kinds: tuple[str, ...]  # the kinds of prompt the picker offers for this form

    def field(self, kind: str) -> str:
        """The form field a prompt of this kind fills: the chat takes a system prompt too."""
        if self.name == "chat":
            return "system_prompt" if kind == Prompt.Kind.SYSTEM else "message"
        return "prompt"


TARGETS = {
    target.name: target
    for target in (
        Target("chat", _("Chat"), "chat:page", (Prompt.Kind.PROMPT, Prompt.Kind.SYSTEM)),
        Target("images", _("Images"), "images:page", (Prompt.Kind.PROMPT,)),
        Target("videos", _("Videos"), "videos:page", (Prompt.Kind.PROMPT,)),
    )
}


@dataclass(frozen=True)
class Destination:
    """Where a filled prompt goes: a form, and on the videos page its tab, in the chat the
    conversation. Carried in the query string from the picker to the fill."""

    target: Target
    tab: str = ""
    conversation: int | None = None

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> Destination | None:
        target = TARGETS.get(query.get("for") or "")
        if target is None:
            return None
        tab = query.get("tab") or ""
        conversation = query.get("conversation") or ""
        return cls(
            target=target,
            tab=tab if target.name == "videos" and TAB.match(tab) else "",
            conversation=int(conversation)
            if target.name == "chat" and conversation.isdigit()
            else None,
        )

    def as_query(self) -> dict[str, str]:
        values = {"for": self.target.name, "tab": self.tab, "conversation": ""}
        if self.conversation is not None:
            values["conversation"] = str(self.conversation)
        return {name: value for name, value in values.items() if value}

    def url(self, *, field: str, text: str) -> str:
        """The form's page with the text as the field's initial value (the no-JS way)."""
        if self.conversation is not None:
            path = reverse("chat:conversation", args=[self.conversation])
        else:
            path = reverse(self.target.url_name)
        query = {"tab": self.tab} if self.tab else {}
        return f"{path}?{urlencode(query | {field: text})}"
