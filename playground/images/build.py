"""A generation's params (the form's values, JSON) into the gateway's typed request.

The same function runs when the generation is saved (to record the body as it will be sent)
and when it is sent, so what is recorded is what is sent. References are stored uploads, sent
as the URL the user typed when there was one, else as their bytes.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from playground.gateway.images import ImageRequest
from playground.gateway.media import ImageSource
from playground.uploads.selectors import upload_get

type Params = dict[str, Any]


def is_seedream_3(model: str) -> bool:
    """Seedream 3.0 ids follow other rules (sizes, guidance scale, no references)."""
    return "seedream-3" in model


def image_ref(*, upload_id: str, url: str | None = None) -> dict[str, str]:
    """How params refer to an image: always the stored copy, and the URL when one was typed."""
    return {"upload": upload_id, **({"url": url} if url else {})}


def _reference(ref: dict[str, str]) -> ImageSource:
    upload = upload_get(upload_id=ref["upload"])
    if upload is None:
        raise ValidationError(gettext("A reference image is no longer stored; choose it again."))
    return upload.as_image_source(url=ref.get("url"))


def image_request(*, params: Params) -> ImageRequest:
    return ImageRequest(
        model=params["model"],
        prompt=params["prompt"],
        size=params.get("size") or None,
        seed=params.get("seed"),
        guidance_scale=params.get("guidance_scale"),
        watermark=params.get("watermark"),
        response_format=params.get("response_format") or None,
        images=tuple(_reference(ref) for ref in params.get("references") or []),
        sequential=bool(params.get("sequential")),
        max_images=params.get("max_images"),
    )
