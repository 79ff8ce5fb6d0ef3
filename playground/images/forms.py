"""The Seedream form: every documented field, checked against the chosen model's rules with
field errors in words before anything is sent. `params()` gives the JSON a generation keeps."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from playground.accounts.models import User
from playground.images.build import Params, image_ref, is_seedream_3
from playground.uploads.forms import ImageInputError, image_fields, resolve_image
from playground.uploads.rules import REFERENCE_IMAGE

SEEDREAM_MODELS = [
    "doubao-seedream-4-5-251128",
    "doubao-seedream-4-0-250828",
    "doubao-seedream-3-0-t2i-250415",
]
PRESETS = ["1K", "2K", "4K"]
# The gateway's page says "up to 10-14" reference images. Ark documents 10 for Seedream 4.x
# inputs (14 only on some deployments), so 10 is what every deployment accepts.
MAX_REFERENCES = 10
VISIBLE_REFERENCES = 2  # the rest sit in a "more" section that starts closed
MAX_IMAGES = 15  # sequential images, and references plus sequential images together
SEED_MAX = 2147483647
TIMES = "\N{MULTIPLICATION SIGN}"
V3_SIDE = (512, 2048)
V4_PIXELS = (1280 * 720, 4096 * 4096)
V4_ASPECT = (1 / 16, 16)


class ImageForm(forms.Form):
    generation_id = forms.UUIDField(widget=forms.HiddenInput)
    model = forms.CharField(
        label=_("Model"),
        max_length=100,
        initial=SEEDREAM_MODELS[0],
        widget=forms.TextInput(attrs={"list": "seedream-models", "autocomplete": "off"}),
        help_text=_(
            "A Seedream id from the list, or any id the gateway knows. Ids with "
            "“seedream-3” follow the 3.0 rules."
        ),
    )
    prompt = forms.CharField(
        label=_("Prompt"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    size = forms.ChoiceField(
        label=_("Size"),
        choices=[
            ("", _("Model default")),
            ("1K", f"1K (1024{TIMES}1024)"),
            ("2K", f"2K (2048{TIMES}2048)"),
            ("4K", f"4K (4096{TIMES}4096)"),
            ("custom", _("Custom width × height")),  # noqa: RUF001
        ],
        required=False,
        help_text=_(
            "3.0: width × height only, 512 to 2048 px a side (default 1024×1024). 4.x: 1K, 2K, "  # noqa: RUF001
            "4K, or 1280×720 to 4096×4096 pixels in all with an aspect ratio from 1:16 to 16:1 "  # noqa: RUF001
            "(default 2048×2048)."  # noqa: RUF001
        ),
    )
    width = forms.IntegerField(min_value=1, max_value=16384, required=False, label=_("Width (px)"))
    height = forms.IntegerField(
        min_value=1, max_value=16384, required=False, label=_("Height (px)")
    )
    seed = forms.IntegerField(
        label=_("Seed"),
        min_value=-1,
        max_value=SEED_MAX,
        required=False,
        help_text=_("-1 or empty: a new image each time."),
    )
    guidance_scale = forms.FloatField(
        label=_("Guidance scale"),
        min_value=1,
        max_value=10,
        required=False,
        help_text=_("Seedream 3.0 only: 1 to 10, how closely to follow the prompt (default 2.5)."),
    )
    response_format = forms.ChoiceField(
        choices=[("url", "URL"), ("b64_json", _("Base64 in the answer (b64_json)"))],
        initial="url",
        label=_("Response format"),
    )
    watermark = forms.BooleanField(label=_("Watermark"), required=False)
    sequential = forms.BooleanField(
        required=False,
        label=_("Sequential generation (a set of related images)"),
    )
    max_images = forms.IntegerField(
        min_value=1,
        max_value=MAX_IMAGES,
        initial=3,
        required=False,
        label=_("Max images"),
        help_text=_("1 to 15, with sequential generation; references count towards 15."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.references: list[dict[str, str]] = []
        if not self.is_bound and "generation_id" not in self.initial:
            self.initial["generation_id"] = uuid.uuid4()
        for n in range(1, MAX_REFERENCES + 1):
            self.fields.update(
                image_fields(
                    f"refer{n}", gettext("Reference image %(n)s") % {"n": n}, rules=REFERENCE_IMAGE
                )
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        model = cleaned.get("model", "").strip()
        v3 = is_seedream_3(model)
        self._clean_size(cleaned, v3=v3)
        for n in range(1, MAX_REFERENCES + 1):
            self._clean_reference(cleaned, f"refer{n}")
        if not v3 and cleaned.get("guidance_scale") is not None:
            self.add_error(
                "guidance_scale",
                _("Only Seedream 3.0 models take a guidance scale; leave it empty."),
            )
        if v3 and self.references:
            self.add_error(
                "refer1_file", _("Seedream 3.0 makes images from text only; remove the references.")
            )
        if v3 and cleaned.get("sequential"):
            self.add_error(
                "sequential", _("Seedream 3.0 has no sequential generation; use a 4.x model.")
            )
        if cleaned.get("sequential"):
            self._clean_count(cleaned)
        return cleaned

    def _clean_size(self, cleaned: dict[str, Any], *, v3: bool) -> None:
        choice = cleaned.get("size", "")
        width, height = cleaned.get("width"), cleaned.get("height")
        self.size_value: str | None = None
        if choice in PRESETS:
            if v3:
                self.add_error(
                    "size",
                    gettext("Seedream 3.0 takes a width × height, not %(choice)s: choose Custom.")  # noqa: RUF001
                    % {"choice": choice},
                )
            elif width or height:
                self.add_error("size", _("Clear the width and height, or choose Custom."))
            else:
                self.size_value = choice
            return
        if choice == "" and not (width or height):
            return  # the model's default
        if not (width and height):
            if not (self.has_error("width") or self.has_error("height")):
                self.add_error("width", _("Give both a width and a height, in pixels."))
            return
        shape = f"{width}{TIMES}{height}"
        if v3:
            low, high = V3_SIDE
            if not (low <= width <= high and low <= height <= high):
                self.add_error(
                    "width",
                    gettext(
                        "Seedream 3.0 takes %(low)s to %(high)s px a side; %(shape)s is outside "
                        "that."
                    )
                    % {"low": low, "high": high, "shape": shape},
                )
                return
        else:
            pixels, aspect = width * height, width / height
            if not V4_PIXELS[0] <= pixels <= V4_PIXELS[1]:
                self.add_error(
                    "width",
                    gettext(
                        "Seedream 4.x takes 1280×720 to 4096×4096 pixels in all; "  # noqa: RUF001
                        "%(shape)s is %(pixels)s pixels."
                    )
                    % {"shape": shape, "pixels": number_format(pixels, force_grouping=True)},
                )
                return
            if not V4_ASPECT[0] <= aspect <= V4_ASPECT[1]:
                self.add_error(
                    "width",
                    gettext(
                        "Seedream 4.x takes an aspect ratio from 1:16 to 16:1; %(shape)s is "
                        "outside that."
                    )
                    % {"shape": shape},
                )
                return
        self.size_value = f"{width}x{height}"

    def _clean_reference(self, cleaned: dict[str, Any], prefix: str) -> None:
        if cleaned.get(f"{prefix}_file") or cleaned.get(f"{prefix}_url"):
            cleaned[f"{prefix}_upload"] = None  # a new choice replaces a rerun's earlier image
        try:
            upload, url = resolve_image(
                user=self.user, cleaned=cleaned, prefix=prefix, rules=REFERENCE_IMAGE
            )
        except ImageInputError as error:
            self.add_error(error.field, error)
            return
        if upload is not None:
            self.references.append(image_ref(upload_id=str(upload.id), url=url))

    def _clean_count(self, cleaned: dict[str, Any]) -> None:
        count = cleaned.get("max_images")
        if count is None:
            if not self.has_error("max_images"):
                self.add_error("max_images", _("Say how many images to make, 1 to 15."))
            return
        if len(self.references) + count > MAX_IMAGES:
            self.add_error(
                "max_images",
                gettext(
                    "References and generated images together may be at most %(max)s; this "
                    "asks for %(references)s + %(count)s."
                )
                % {"max": MAX_IMAGES, "references": len(self.references), "count": count},
            )

    def params(self) -> Params:
        data = self.cleaned_data
        return {
            "model": data["model"].strip(),
            "prompt": data["prompt"].strip(),
            "size": self.size_value,
            "seed": data["seed"],
            "guidance_scale": data["guidance_scale"],
            "watermark": data["watermark"],
            "response_format": data["response_format"],
            "references": self.references,
            "sequential": data["sequential"],
            "max_images": data["max_images"] if data["sequential"] else None,
        }

    @classmethod
    def initial_from(cls, params: Params) -> dict[str, Any]:
        """A rerun's form values: the generation's params, references as stored copies or URLs."""
        initial = {
            name: value
            for name, value in params.items()
            if name not in ("size", "references") and value is not None
        }
        size = params.get("size")
        if size in PRESETS:
            initial["size"] = size
        elif size:
            width, height = size.split("x")
            initial |= {"size": "custom", "width": int(width), "height": int(height)}
        for n, ref in enumerate(params.get("references") or [], start=1):
            if ref.get("url"):
                initial[f"refer{n}_url"] = ref["url"]
            else:
                initial[f"refer{n}_upload"] = ref["upload"]
        return initial
