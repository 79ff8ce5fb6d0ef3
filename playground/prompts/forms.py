from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from playground.prompts.models import MAX_TAGS, Prompt, tags_normalise
from playground.prompts.targets import TARGETS, Destination


class PromptForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Prompt.Kind.choices,
        initial=Prompt.Kind.PROMPT,
        help_text=_(
            "A system prompt fills the chat's system prompt; a prompt fills the message "
            "or the image or video prompt."
        ),
    )
    text = forms.CharField(
        label=_("Text"),
        max_length=20_000,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Write {{name}} where a value goes: whoever uses the prompt is asked for "
            "each one. Names are letters, digits and underscores."
        ),
    )
    tags = forms.CharField(
        label=_("Tags"),
        max_length=500,
        required=False,
        help_text=_("Separated by commas, e.g. portrait, winter."),
    )

    def clean_text(self) -> str:
        text: str = self.cleaned_data["text"]
        if not text.strip():
            raise forms.ValidationError(_("Write the prompt's text."))
        return text

    def clean_tags(self) -> list[str]:
        tags = tags_normalise(self.cleaned_data["tags"])
        if len(tags) > MAX_TAGS:
            raise forms.ValidationError(
                _("At most %(count)d tags, please."), params={"count": MAX_TAGS}
            )
        return tags


class FillForm(forms.Form):
    """One field per variable of the prompt. The picker knows the form the text goes to (it
    comes in the query string); on the library's own page this form asks which."""

    def __init__(
        self, *args: Any, prompt: Prompt, destination: Destination | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.prompt = prompt
        self.fixed = destination
        for name in prompt.variables:
            self.fields[f"var_{name}"] = forms.CharField(
                label=name,
                max_length=4000,
                error_messages={"required": _("Give a value for this variable.")},
            )
        if destination is None:
            self.fields["for"] = forms.ChoiceField(
                label=_("Form to fill in"),
                choices=[(target.name, target.label) for target in TARGETS.values()],
            )

    def values(self) -> dict[str, str]:
        return {name: self.cleaned_data[f"var_{name}"] for name in self.prompt.variables}

    def destination(self) -> Destination:
        return self.fixed or Destination(target=TARGETS[self.cleaned_data["for"]])
