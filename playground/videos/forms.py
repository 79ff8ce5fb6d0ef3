"""The four video forms. Every documented parameter, checked here with field errors in words,
before anything is sent. `params()` gives the JSON a job keeps, from which the request is built."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from playground.accounts.models import User
from playground.uploads.forms import ImageInputError, image_fields, resolve_image
from playground.uploads.rules import KLING_IMAGE, SEEDANCE_IMAGE, ImageRules
from playground.videos.build import Params, image_ref
from playground.videos.models import VideoJob

SEEDANCE_MODELS = [
    "doubao-seedance-1-0-pro-250528",
    "doubao-seedance-1-0-pro-fast-251015",
    "doubao-seedance-1-0-lite-t2v-250428",
    "doubao-seedance-1-0-lite-i2v-250428",
    "doubao-seedance-1-5-pro-251215",
    "doubao-seedance-2-0-260128",
]
KLING_TEXT_MODELS = [
    "kling-v1",
    "kling-v1-6",
    "kling-v2-master",
    "kling-v2-1-master",
    "kling-v2-5-turbo",
    "kling-v2-6",
    "kling-v3",
]
KLING_IMAGE_MODELS = [
    "kling-v1",
    "kling-v1-5",
    "kling-v1-6",
    "kling-v2-master",
    "kling-v2-1",
    "kling-v2-1-master",
    "kling-v2-5-turbo",
    "kling-v2-6",
    "kling-v3",
]
RATIOS = ["16:9", "4:3", "1:1", "3:4", "9:16", "21:9", "adaptive"]
CAMERA_TYPES = ["simple", "down_back", "forward_up", "right_turn_forward", "left_turn_forward"]
CAMERA_AXES = ["horizontal", "vertical", "pan", "tilt", "roll", "zoom"]
MAX_PROMPT = 2500
REFERENCE_SLOTS = 4


def _choices(
    values: list[str], blank: str | Promise | None = None
) -> list[tuple[str, str | Promise]]:
    blank_choice: list[tuple[str, str | Promise]] = [("", blank)] if blank is not None else []
    return blank_choice + [(value, value) for value in values]


class VideoForm(forms.Form):
    """What the four forms share: the job id that makes a resent POST harmless, and images."""

    action: VideoJob.Action
    image_slots: dict[str, str | Promise] = {}  # prefix -> label
    image_rules: ImageRules = KLING_IMAGE

    job_id = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.images: dict[str, dict[str, str]] = {}
        if not self.is_bound and "job_id" not in self.initial:
            self.initial["job_id"] = uuid.uuid4()
        for prefix, label in self.image_slots.items():
            self.fields.update(image_fields(prefix, str(label), rules=self.image_rules))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for prefix in self.image_slots:
            self._clean_image(cleaned, prefix)
        return cleaned

    def _clean_image(self, cleaned: dict[str, Any], prefix: str) -> None:
        if cleaned.get(f"{prefix}_file") or cleaned.get(f"{prefix}_url"):
            cleaned[f"{prefix}_upload"] = None  # a new choice replaces a rerun's earlier image
        try:
            upload, url = resolve_image(
                user=self.user, cleaned=cleaned, prefix=prefix, rules=self.image_rules
            )
        except ImageInputError as error:
            self.add_error(error.field, error)
            return
        if upload is not None:
            self.images[prefix] = image_ref(upload_id=str(upload.id), url=url)
            if cleaned.get(f"{prefix}_file"):
                # Shown again after an error elsewhere, the form keeps the stored file: a
                # browser never refills a file input, so it would otherwise be chosen again.
                data = self.data.copy() if isinstance(self.data, QueryDict) else dict(self.data)
                data[f"{prefix}_upload"] = str(upload.id)
                self.data = data

    def image(self, prefix: str) -> dict[str, str] | None:
        return self.images.get(prefix)

    def params(self) -> Params:
        raise NotImplementedError

    @classmethod
    def initial_from(cls, params: Params) -> dict[str, Any]:
        """A rerun's form values: the job's params, with images as the stored copy or the URL."""
        initial = {name: value for name, value in params.items() if not isinstance(value, dict)}
        for prefix in cls.image_slots:
            ref = _find_image(params, prefix)
            if ref and ref.get("url"):
                initial[f"{prefix}_url"] = ref["url"]
            elif ref:
                initial[f"{prefix}_upload"] = ref["upload"]
        return initial


def _find_image(params: Params, prefix: str) -> Any:
    """The image ref a form slot was saved under: a field of its own (`image`), a numbered
    place in a list (`refer2` in reference_images, `image3` in image_list), or a mask."""
    if isinstance(params.get(prefix), dict):
        return params[prefix]
    lists = {"refer": "reference_images", "image": "image_list"}
    if prefix[-1].isdigit() and prefix[:-1] in lists:
        items = params.get(lists[prefix[:-1]]) or []
        index = int(prefix[-1]) - 1
        return items[index] if index < len(items) else None
    if prefix == "dynamic_mask" and params.get("dynamic_masks"):
        return params["dynamic_masks"][0]["mask"]
    return None


class SeedanceForm(VideoForm):
    action = VideoJob.Action.SEEDANCE
    image_rules = SEEDANCE_IMAGE
    image_slots = {
        "first_frame": _("First frame"),
        "last_frame": _("Last frame"),
        **{
            f"refer{n}": format_lazy(_("Reference image {n}"), n=n)
            for n in range(1, REFERENCE_SLOTS + 1)
        },
    }

    model = forms.CharField(
        label=_("Model"),
        max_length=100,
        initial=SEEDANCE_MODELS[0],
        widget=forms.TextInput(attrs={"list": "seedance-models", "autocomplete": "off"}),
        help_text=_("A Seedance model id from the list, or any id the gateway knows."),
    )
    prompt = forms.CharField(
        label=_("Prompt"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    ratio = forms.ChoiceField(
        label=_("Ratio"), choices=_choices(RATIOS, _("Default")), required=False
    )
    resolution = forms.ChoiceField(
        label=_("Resolution"),
        choices=_choices(["480p", "720p", "1080p"], _("Default")),
        required=False,
    )
    duration = forms.IntegerField(min_value=2, max_value=12, initial=5, label=_("Duration (s)"))
    seed = forms.IntegerField(label=_("Seed"), min_value=-1, max_value=2**32 - 1, required=False)
    camera_fixed = forms.BooleanField(required=False, label=_("Fixed camera"))
    watermark = forms.BooleanField(label=_("Watermark"), required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        first, last = self.image("first_frame"), self.image("last_frame")
        references = [ref for n in range(1, 5) if (ref := self.image(f"refer{n}"))]
        model = cleaned.get("model", "")
        if not cleaned.get("prompt", "").strip() and not first:
            self.add_error("prompt", _("Write a prompt, or give a first frame to animate."))
        if last and not first:
            self.add_error("last_frame_file", _("A last frame needs a first frame too."))
        if references and (first or last):
            self.add_error(
                "refer1_file", _("Reference images cannot be combined with first or last frames.")
            )
        if "lite-t2v" in model and (first or last or references):
            self.add_error("model", _("This text-to-video model takes no images; remove them."))
        if "lite-i2v" in model and not (first or references):
            self.add_error(
                "model", _("This image-to-video model needs a first frame or references.")
            )
        return cleaned

    def params(self) -> Params:
        data = self.cleaned_data
        return {
            "model": data["model"].strip(),
            "prompt": data["prompt"].strip(),
            "first_frame": self.image("first_frame"),
            "last_frame": self.image("last_frame"),
            "reference_images": [
                ref for n in range(1, REFERENCE_SLOTS + 1) if (ref := self.image(f"refer{n}"))
            ],
            "ratio": data["ratio"],
            "resolution": data["resolution"],
            "duration": data["duration"],
            "seed": data["seed"],
            "camera_fixed": data["camera_fixed"],
            "watermark": data["watermark"],
        }


class KlingForm(VideoForm):
    """Fields every Kling action has."""

    model_choices: list[str] = KLING_TEXT_MODELS

    model_name = forms.ChoiceField(label=_("Model"))
    prompt = forms.CharField(
        label=_("Prompt"),
        max_length=MAX_PROMPT,
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    negative_prompt = forms.CharField(
        label=_("Negative prompt"),
        max_length=MAX_PROMPT,
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    mode = forms.ChoiceField(
        label=_("Mode"),
        choices=[("std", _("Standard (std)")), ("pro", _("Professional (pro)"))],
        initial="std",
    )
    duration = forms.TypedChoiceField(
        choices=[("5", "5 s"), ("10", "10 s")], coerce=int, initial="5", label=_("Duration")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["model_name"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = _choices(self.model_choices)
        self.initial.setdefault("model_name", "kling-v1-6")

    def kling_params(self) -> Params:
        data = self.cleaned_data
        return {
            "model_name": data["model_name"],
            "prompt": data["prompt"].strip(),
            "negative_prompt": data["negative_prompt"].strip(),
            "mode": data["mode"],
            "duration": data["duration"],
        }


class CameraFields(forms.Form):
    """Kling's camera_control and cfg_scale, for text and image to video."""

    cfg_scale = forms.FloatField(
        min_value=0,
        max_value=1,
        required=False,
        label=_("CFG scale"),
        help_text=_("0 to 1: how closely to follow the prompt. Not for kling-v2.x models."),
    )
    camera_type = forms.ChoiceField(
        label=_("Camera type"), choices=_choices(CAMERA_TYPES, _("None")), required=False
    )
    camera_horizontal = forms.FloatField(
        label=_("Camera horizontal"), min_value=-10, max_value=10, required=False
    )
    camera_vertical = forms.FloatField(
        label=_("Camera vertical"), min_value=-10, max_value=10, required=False
    )
    camera_pan = forms.FloatField(
        label=_("Camera pan"), min_value=-10, max_value=10, required=False
    )
    camera_tilt = forms.FloatField(
        label=_("Camera tilt"), min_value=-10, max_value=10, required=False
    )
    camera_roll = forms.FloatField(
        label=_("Camera roll"), min_value=-10, max_value=10, required=False
    )
    camera_zoom = forms.FloatField(
        label=_("Camera zoom"), min_value=-10, max_value=10, required=False
    )

    def clean_camera(self, cleaned: dict[str, Any]) -> dict[str, Any] | None:
        model = cleaned.get("model_name", "")
        if cleaned.get("cfg_scale") is not None and model.startswith("kling-v2"):
            self.add_error("cfg_scale", _("kling-v2.x models take no CFG scale; leave it empty."))
        kind = cleaned.get("camera_type")
        config = {
            axis: value
            for axis in CAMERA_AXES
            if (value := cleaned.get(f"camera_{axis}")) not in (None, 0)
        }
        if not kind:
            if config:
                self.add_error("camera_type", _("Choose the camera movement these values are for."))
            return None
        if kind != "simple":
            if config:
                self.add_error(
                    "camera_type", _("Only the simple movement takes values; clear them.")
                )
            return {"type": kind}
        if len(config) != 1:
            self.add_error(
                "camera_type",
                _(
                    "A simple camera movement needs exactly one non-zero value "
                    "(horizontal, vertical, pan, tilt, roll or zoom)."
                ),
            )
            return None
        return {"type": kind, "config": {axis: config.get(axis, 0) for axis in CAMERA_AXES}}

    @classmethod
    def camera_initial(cls, params: Params) -> dict[str, Any]:
        camera = params.get("camera_control") or {}
        initial: dict[str, Any] = {"camera_type": camera.get("type", "")}
        for axis, value in (camera.get("config") or {}).items():
            initial[f"camera_{axis}"] = value
        return initial


class KlingTextForm(KlingForm, CameraFields):
    action = VideoJob.Action.TEXT2VIDEO
    aspect_ratio = forms.ChoiceField(
        label=_("Aspect ratio"), choices=_choices(["16:9", "9:16", "1:1"]), initial="16:9"
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("prompt", "").strip() and not self.has_error("prompt"):
            self.add_error("prompt", _("Write a prompt: text to video needs one."))
        self.camera = self.clean_camera(cleaned)
        return cleaned

    def params(self) -> Params:
        return self.kling_params() | {
            "aspect_ratio": self.cleaned_data["aspect_ratio"],
            "cfg_scale": self.cleaned_data["cfg_scale"],
            "camera_control": self.camera,
        }

    @classmethod
    def initial_from(cls, params: Params) -> dict[str, Any]:
        return super().initial_from(params) | cls.camera_initial(params)


class KlingImageForm(KlingForm, CameraFields):
    action = VideoJob.Action.IMAGE2VIDEO
    model_choices = KLING_IMAGE_MODELS
    image_slots = {
        "image": _("Start image"),
        "image_tail": _("End image"),
        "static_mask": _("Static brush mask"),
        "dynamic_mask": _("Dynamic brush mask"),
    }
    trajectories = forms.CharField(
        label=_("Trajectories"),
        required=False,
        help_text=_(
            "The dynamic mask's path as x,y points separated by spaces, e.g. "
            "'100,200 150,220 200,260' (2 to 77 points)."
        ),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        camera = self.clean_camera(cleaned)
        self.camera = camera
        image, tail = self.image("image"), self.image("image_tail")
        static, dynamic = self.image("static_mask"), self.image("dynamic_mask")
        self.path = self._path(cleaned.get("trajectories", ""))
        refused = any(
            self.has_error(f"{slot}_{kind}")
            for slot in ("image", "image_tail")
            for kind in ("file", "url", "upload")
        )
        if not (image or tail) and not refused:  # a refused image already says why
            self.add_error("image_file", _("Give a start image, an end image, or both."))
        used = [
            name
            for name, present in (
                (gettext("an end image"), tail),
                (gettext("a camera movement"), camera),
                (gettext("motion brush masks"), static or dynamic),
            )
            if present
        ]
        if len(used) > 1:
            self.add_error(
                None,
                gettext(
                    "Kling takes only one of an end image, a camera movement and motion brush "
                    "masks; this job has %(used)s."
                )
                % {"used": gettext(" and ").join(used)},
            )
        if dynamic and not self.path and not self.has_error("trajectories"):
            self.add_error("trajectories", _("A dynamic mask needs its path."))
        if self.path and not dynamic:
            self.add_error("dynamic_mask_file", _("A path needs its dynamic mask image."))
        return cleaned

    def _path(self, text: str) -> list[list[int]]:
        points: list[list[int]] = []
        for pair in text.split():
            try:
                x, y = (int(value) for value in pair.split(","))
            except ValueError:
                self.add_error(
                    "trajectories",
                    gettext("'%(pair)s' is not an x,y point of whole numbers.")
                    % {"pair": pair[:20]},
                )
                return []
            points.append([x, y])
        if points and not 2 <= len(points) <= 77:
            self.add_error(
                "trajectories",
                gettext("A path has 2 to 77 points; this one has %(count)s.")
                % {"count": len(points)},
            )
        return points

    def params(self) -> Params:
        dynamic = self.image("dynamic_mask")
        return self.kling_params() | {
            "cfg_scale": self.cleaned_data["cfg_scale"],
            "camera_control": self.camera,
            "image": self.image("image"),
            "image_tail": self.image("image_tail"),
            "static_mask": self.image("static_mask"),
            "dynamic_masks": [{"mask": dynamic, "trajectories": self.path}] if dynamic else [],
        }

    @classmethod
    def initial_from(cls, params: Params) -> dict[str, Any]:
        initial = super().initial_from(params) | cls.camera_initial(params)
        masks = params.get("dynamic_masks") or []
        if masks:
            initial["trajectories"] = " ".join(f"{x},{y}" for x, y in masks[0]["trajectories"])
        return initial


class KlingMultiForm(KlingForm):
    action = VideoJob.Action.MULTI_IMAGE2VIDEO
    model_choices = ["kling-v1-6"]
    image_slots = {f"image{n}": format_lazy(_("Image {n}"), n=n) for n in range(1, 5)}
    aspect_ratio = forms.ChoiceField(
        label=_("Aspect ratio"), choices=_choices(["16:9", "9:16", "1:1"]), initial="16:9"
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("prompt", "").strip() and not self.has_error("prompt"):
            self.add_error("prompt", _("Write a prompt: multi-image to video needs one."))
        if not any(self.image(f"image{n}") for n in range(1, 5)) and not self.has_error(
            "image1_file"
        ):
            self.add_error("image1_file", _("Give 1 to 4 images."))
        return cleaned

    def params(self) -> Params:
        return self.kling_params() | {
            "aspect_ratio": self.cleaned_data["aspect_ratio"],
            "image_list": [ref for n in range(1, 5) if (ref := self.image(f"image{n}"))],
        }


FORMS: dict[str, type[VideoForm]] = {
    form.action: form for form in (SeedanceForm, KlingTextForm, KlingImageForm, KlingMultiForm)
}
