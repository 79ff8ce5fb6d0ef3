from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from playground.chat.catalog import not_chat_reason

# Every parameter input lives in the side panel but belongs to the composer form, so a message
# is always sent with the parameters on screen.
IN_COMPOSER = {"form": "composer"}


class ChatSettingsForm(forms.Form):
    """A conversation's parameters, editable at any time."""

    model = forms.CharField(
        label=_("Model"),
        max_length=200,
        help_text=_("Pick from the gateway's chat models or type any model name."),
        widget=forms.TextInput(attrs={"list": "model-list", "autocomplete": "off", **IN_COMPOSER}),
    )
    system_prompt = forms.CharField(
        label=_("System prompt"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 3, **IN_COMPOSER}),
    )
    temperature = forms.FloatField(
        label=_("Temperature"),
        min_value=0,
        max_value=2,
        initial=0.7,
        widget=forms.NumberInput(attrs={"step": "0.1", **IN_COMPOSER}),
    )
    top_p = forms.FloatField(
        label=_("Top p"),
        min_value=0,
        max_value=1,
        initial=1.0,
        widget=forms.NumberInput(attrs={"step": "0.05", **IN_COMPOSER}),
    )
    max_tokens = forms.IntegerField(
        label=_("Max tokens"),
        min_value=1,
        max_value=32_768,
        initial=1024,
        widget=forms.NumberInput(attrs=IN_COMPOSER),
    )

    def clean_model(self) -> str:
        model: str = self.cleaned_data["model"].strip()
        if reason := not_chat_reason(model):
            raise forms.ValidationError(reason)
        return model


class ChatForm(ChatSettingsForm):
    """The composer: a message, sent with the parameters."""

    message = forms.CharField(
        label=_("Message"),
        max_length=50_000,
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": _("Message (Enter sends, Shift+Enter adds a line)")}
        ),
    )


class RenameForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
