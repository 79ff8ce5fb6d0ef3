"""Image generation (Seedream): the request as the gateway wants it, and the images it made."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from django.utils.translation import gettext_noop

from playground.gateway.media import ImageSource
from playground.gateway.transport import JSON, json_list, redact

UNCONFIRMED = gettext_noop(
    "The gateway did not confirm the image generation: the images may have been made (and "
    "charged) upstream. Check before running it again."
)


@dataclass(frozen=True)
class ImageRequest:
    model: str
    prompt: str
    size: str | None = None
    seed: int | None = None
    guidance_scale: float | None = None
    watermark: bool | None = None
    response_format: Literal["url", "b64_json"] | None = None
    images: tuple[ImageSource, ...] = ()
    sequential: bool = False
    max_images: int | None = None

    def to_json(self, *, record: bool = False) -> dict[str, Any]:
        """The Ark body; with `record`, images show their URL or reference, never base64."""
        body: dict[str, Any] = {"model": self.model, "prompt": self.prompt}
        optional = {
            "size": self.size,
            "seed": self.seed,
            "guidance_scale": self.guidance_scale,
            "watermark": self.watermark,
            "response_format": self.response_format,
        }
        body.update({name: value for name, value in optional.items() if value is not None})
        if self.images:
            sent = [
                image.record() if record else image.wire(data_uri=True) for image in self.images
            ]
            body["image"] = sent[0] if len(sent) == 1 else sent
        if self.sequential:
            body["sequential_image_generation"] = "auto"
            if self.max_images is not None:
                body["sequential_image_generation_options"] = {"max_images": self.max_images}
        return body


@dataclass(frozen=True)
class GeneratedImage:
    url: str | None
    b64_json: str | None
    size: str | None
    error: str | None  # a sentence, when this one image failed


@dataclass(frozen=True)
class ImageGeneration:
    model: str
    created: int
    images: list[GeneratedImage]
    generated_images: int
    total_tokens: int


def generation_from(answer: JSON, *, model: str) -> ImageGeneration:
    usage: JSON = answer["usage"] if isinstance(answer.get("usage"), dict) else {}
    images = []
    for item in json_list(answer, "data"):
        if not isinstance(item, dict):
            continue
        error = item.get("error") if isinstance(item.get("error"), dict) else None
        images.append(
            GeneratedImage(
                url=item.get("url"),
                b64_json=item.get("b64_json"),
                size=item.get("size"),
                error=_item_error(error) if error else None,
            )
        )
    counted = usage.get("generated_images")
    return ImageGeneration(
        model=str(answer.get("model") or model),
        created=int(answer.get("created") or 0),
        images=images,
        # The gateway's own figure (what it charges for), even 0; a count only when absent.
        generated_images=(
            int(counted) if counted is not None else len([i for i in images if not i.error])
        ),
        total_tokens=int(usage.get("total_tokens") or 0),
    )


def _item_error(error: JSON) -> str:
    """Our sentence, then the gateway's own words for this one image, as they came."""
    upstream = redact(f"{error.get('message') or ''} ({error.get('code') or 'error'})".strip())
    return gettext_noop("This image failed. Details: %(upstream)s.") % {"upstream": upstream}
