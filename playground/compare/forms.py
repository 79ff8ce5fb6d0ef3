"""The compare form: one prompt and 2 to 4 column rows (a model and its parameters).

Each row is checked by the form its kind already has (the chat settings form, the Seedream form,
the Seedance and Kling text forms), so a column accepts exactly what the chat, image or video
page would, with the errors in the same words, next to the row's field.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from playground.accounts.models import User
from playground.chat.forms import ChatSettingsForm
from playground.compare.models import MAX_COLUMNS, MIN_COLUMNS, Comparison
from playground.compare.services import ColumnSpec
from playground.images.forms import SEEDREAM_MODELS, ImageForm
from playground.videos.forms import (
    KLING_TEXT_MODELS,
    SEEDANCE_MODELS,
    KlingTextForm,
    SeedanceForm,
)

Kind = Comparison.Kind


class ColumnForm(forms.Form):
    """A column row. `check` validates it with the prompt, through its kind's own form."""

    def check(self, *, prompt: str, user: User) -> set[str]:
        """Adds the row's errors to its fields; returns the errors about the prompt."""
        raise NotImplementedError

    def spec(self) -> ColumnSpec:
        raise NotImplementedError

    def adopt(self, inner: forms.Form, renamed: dict[str, str]) -> set[str]:
        """The inner form's errors, on this row's field of the same (or `renamed`) name, the
        prompt's apart, the rest on the row as a whole."""
        about_prompt: set[str] = set()
        for name, errors in inner.errors.items():
            target = renamed.get(name, name)
            if target == "prompt":
                about_prompt.update(str(error) for error in errors)
                continue
            for error in errors:
                self.add_error(target if target in self.fields else None, error)
        return about_prompt


class ChatColumnForm(ChatSettingsForm, ColumnForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.pop("form", None)  # the chat page's composer is not here
            field.help_text = ""
        self.fields["system_prompt"].widget.attrs["rows"] = 2

    def check(self, *, prompt: str, user: User) -> set[str]:
        return set()  # the chat settings form checked it all

    def spec(self) -> ColumnSpec:
        data = self.cleaned_data
        names = ("system_prompt", "temperature", "top_p", "max_tokens")
        return ColumnSpec(model=data["model"], params={name: data[name] for name in names})


_size = ImageForm.base_fields["size"]
assert isinstance(_size, forms.ChoiceField)
SIZE_CHOICES = _size.choices


class ImageColumnForm(ColumnForm):
    model = forms.CharField(
        label=_("Model"),
        max_length=100,
        widget=forms.TextInput(attrs={"list": "seedream-models", "autocomplete": "off"}),
    )
    size = forms.ChoiceField(label=_("Size"), choices=SIZE_CHOICES, required=False)
    width = forms.IntegerField(label=_("Width (px)"), min_value=1, required=False)
    height = forms.IntegerField(label=_("Height (px)"), min_value=1, required=False)
    seed = forms.IntegerField(label=_("Seed"), min_value=-1, required=False)

    def check(self, *, prompt: str, user: User) -> set[str]:
        data = self.cleaned_data
        values = {name: data.get(name) for name in ("model", "size", "width", "height", "seed")}
        inner = ImageForm(
            {
                "generation_id": str(uuid.uuid4()),
                "prompt": prompt,
                "response_format": "url",
                **{name: "" if value is None else value for name, value in values.items()},
            },
            user=user,
        )
        if inner.is_valid():
            self.params = {k: v for k, v in inner.params().items() if k != "prompt"}
            return set()
        return self.adopt(inner, {})

    def spec(self) -> ColumnSpec:
        return ColumnSpec(model=self.params["model"], params=self.params)


VIDEO_MODELS = [
    ("Seedance", [(model, model) for model in SEEDANCE_MODELS]),
    ("Kling", [(model, model) for model in KLING_TEXT_MODELS]),
]


class VideoColumnForm(ColumnForm):
    """Text to video: Seedance, or Kling's text to video, with the fields both take."""

    model = forms.ChoiceField(label=_("Model"), choices=[("", "—"), *VIDEO_MODELS], required=False)
    duration = forms.IntegerField(
        label=_("Duration (s)"),
        initial=5,
        help_text=_("Seedance: 2 to 12. Kling: 5 or 10."),
    )
    ratio = forms.ChoiceField(
        label=_("Aspect ratio"), choices=[(r, r) for r in ("16:9", "9:16", "1:1")]
    )

    def check(self, *, prompt: str, user: User) -> set[str]:
        data = self.cleaned_data
        inner: SeedanceForm | KlingTextForm
        if data["model"] in KLING_TEXT_MODELS:
            fields = {
                "model_name": data["model"],
                "negative_prompt": "",
                "mode": "std",
                "aspect_ratio": data["ratio"],
            }
            inner = KlingTextForm(self._with(prompt, fields), user=user)
            renamed = {"model_name": "model", "aspect_ratio": "ratio"}
        else:
            inner = SeedanceForm(
                self._with(prompt, {"model": data["model"], "ratio": data["ratio"]}), user=user
            )
            renamed = {}
        if inner.is_valid():
            params = {k: v for k, v in inner.params().items() if k != "prompt"}
            self.params = {"action": inner.action, **params}
            return set()
        return self.adopt(inner, renamed)

    def _with(self, prompt: str, fields: dict[str, Any]) -> dict[str, Any]:
        return {
            "job_id": str(uuid.uuid4()),
            "prompt": prompt,
            "duration": self.cleaned_data["duration"],
            **fields,
        }

    def spec(self) -> ColumnSpec:
        model = self.params.get("model") or self.params["model_name"]
        return ColumnSpec(model=model, params=self.params)


COLUMN_FORMS: dict[str, type[ColumnForm]] = {
    Kind.CHAT: ChatColumnForm,
    Kind.IMAGE: ImageColumnForm,
    Kind.VIDEO: VideoColumnForm,
}
PROMPT_MAX: dict[str, int] = {Kind.CHAT: 50_000, Kind.IMAGE: 4000, Kind.VIDEO: 2500}


class PromptForm(forms.Form):
    comparison_id = forms.UUIDField(widget=forms.HiddenInput)
    prompt = forms.CharField(
        label=_("Prompt"), max_length=50_000, widget=forms.Textarea(attrs={"rows": 3})
    )


def first_rows(kind: str) -> list[dict[str, Any]]:
    """What a new comparison's rows start with: two columns to tell apart."""
    if kind == Kind.CHAT:
        model = settings.CHAT_DEFAULT_MODEL
        return [{"model": model, "temperature": 0.2}, {"model": model, "temperature": 1.2}]
    if kind == Kind.IMAGE:
        return [{"model": SEEDREAM_MODELS[0]}, {"model": SEEDREAM_MODELS[1]}]
    return [{"model": SEEDANCE_MODELS[0]}, {"model": KLING_TEXT_MODELS[1]}]


class ComparisonForm:
    """The prompt and MAX_COLUMNS rows (prefixes c1…c4); rows without a model are left out."""

    def __init__(
        self,
        kind: str,
        *,
        user: User,
        data: Any = None,
        rows: list[dict[str, Any]] | None = None,
        prompt: str = "",
    ) -> None:
        self.kind = kind
        self.user = user
        column_form = COLUMN_FORMS[kind]
        if data is None:
            self.main = PromptForm(initial={"comparison_id": uuid.uuid4(), "prompt": prompt})
            given = rows if rows is not None else first_rows(kind)
            self.columns = [
                column_form(prefix=f"c{n}", initial=given[n - 1] if n <= len(given) else {})
                for n in range(1, MAX_COLUMNS + 1)
            ]
            return
        self.main = PromptForm(data)
        self.columns = []
        for n in range(1, MAX_COLUMNS + 1):
            prefix = f"c{n}"
            if (data.get(f"{prefix}-model") or "").strip():
                self.columns.append(column_form(data, prefix=prefix))
            else:
                # Unbound, so an unused row shows no "required" errors; what was typed stays.
                typed = {
                    name: data[f"{prefix}-{name}"]
                    for name in column_form.base_fields
                    if f"{prefix}-{name}" in data
                }
                self.columns.append(column_form(prefix=prefix, initial=typed))
        self.non_field_errors: list[str] = []

    @property
    def used(self) -> list[ColumnForm]:
        return [form for form in self.columns if form.is_bound]

    def is_valid(self) -> bool:
        valid = self.main.is_valid()
        used = self.used
        if not MIN_COLUMNS <= len(used) <= MAX_COLUMNS:
            self.non_field_errors = [
                gettext("Choose a model in at least %(min)d rows to compare them.")
                % {"min": MIN_COLUMNS}
            ]
            valid = False
        prompt = self.main.cleaned_data.get("prompt", "").strip() if valid else ""
        if prompt and len(prompt) > PROMPT_MAX[self.kind]:
            self.main.add_error(
                "prompt",
                gettext("At most %(max)d characters for this kind of comparison.")
                % {"max": PROMPT_MAX[self.kind]},
            )
            return False
        for form in used:
            if not form.is_valid():
                valid = False
            elif prompt:
                for error in form.check(prompt=prompt, user=self.user):
                    if error not in self.main.errors.get("prompt", []):
                        self.main.add_error("prompt", error)
                valid = valid and not form.errors
        return valid and not self.main.errors

    @property
    def prompt(self) -> str:
        return str(self.main.cleaned_data["prompt"]).strip()

    @property
    def comparison_id(self) -> uuid.UUID:
        value: uuid.UUID = self.main.cleaned_data["comparison_id"]
        return value

    def specs(self) -> list[ColumnSpec]:
        return [form.spec() for form in self.used]
