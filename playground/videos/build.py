"""A job's params (the form's values, JSON) into the gateway's typed request.

The same function runs when the job is created (to record the body as it will be sent) and when
the worker submits it, so what is recorded is what is sent. Images are referred to by upload id
(bytes kept by the playground) and, when the user typed one, the URL that is sent instead.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from playground.gateway.media import ImageSource
from playground.gateway.video import (
    CameraControl,
    DynamicMask,
    KlingAction,
    KlingRequest,
    SeedanceRequest,
)
from playground.uploads.selectors import upload_get

type Params = dict[str, Any]
type VideoRequest = SeedanceRequest | KlingRequest


def image_ref(*, upload_id: str, url: str | None = None) -> dict[str, str]:
    """How params refer to an image: always the stored copy, and the URL when one was typed."""
    return {"upload": upload_id, **({"url": url} if url else {})}


def _image(ref: Any) -> ImageSource | None:
    if not ref:
        return None
    upload = upload_get(upload_id=ref["upload"])
    if upload is None:
        raise ValidationError(gettext("An image of this job is no longer stored; choose it again."))
    return upload.as_image_source(url=ref.get("url"))


def _images(refs: Any) -> tuple[ImageSource, ...]:
    return tuple(image for image in map(_image, refs or []) if image is not None)


def video_request(
    *, action: str, params: Params, callback_url: str | None = None, job_id: str | None = None
) -> VideoRequest:
    if action == "seedance":
        return SeedanceRequest(
            model=params["model"],
            prompt=params.get("prompt", ""),
            first_frame=_image(params.get("first_frame")),
            last_frame=_image(params.get("last_frame")),
            reference_images=_images(params.get("reference_images")),
            ratio=params.get("ratio") or None,
            resolution=params.get("resolution") or None,
            duration=params.get("duration"),
            seed=params.get("seed"),
            camera_fixed=params.get("camera_fixed"),
            watermark=params.get("watermark"),
        )
    camera = params.get("camera_control")
    return KlingRequest(
        action=KlingAction(action),
        model_name=params["model_name"],
        prompt=params.get("prompt", ""),
        negative_prompt=params.get("negative_prompt", ""),
        cfg_scale=params.get("cfg_scale"),
        mode=params.get("mode") or None,
        aspect_ratio=params.get("aspect_ratio") or None,
        duration=params.get("duration"),
        camera_control=CameraControl(type=camera["type"], config=camera.get("config"))
        if camera
        else None,
        image=_image(params.get("image")),
        image_tail=_image(params.get("image_tail")),
        static_mask=_image(params.get("static_mask")),
        dynamic_masks=tuple(
            DynamicMask(
                mask=mask_image,
                trajectories=tuple((int(x), int(y)) for x, y in mask["trajectories"]),
            )
            for mask in params.get("dynamic_masks") or []
            if (mask_image := _image(mask["mask"])) is not None
        ),
        image_list=_images(params.get("image_list")),
        callback_url=callback_url,
        external_task_id=job_id,
    )
