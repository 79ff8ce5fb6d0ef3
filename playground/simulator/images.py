"""POST /v1/images/generations: Seedream's Ark body, validated, answered with real PNGs.

Validation errors are Ark's, passed through by the gateway:
`{"error": {"code": "InvalidParameter", "message": "...", "type": "upstream_error"}}` (HTTP 400).
"""

from __future__ import annotations

import base64
import re
import secrets
import time
from typing import Any

from playground.simulator.media import MediaStore
from playground.simulator.replies import ApiError, Reply, ark_error, json_reply

SEEDREAM_MODELS = (
    "doubao-seedream-4-5-251128",
    "doubao-seedream-4-0-250828",
    "doubao-seedream-3-0-t2i-250415",
)
PRESETS = {"1K": 1024, "2K": 2048, "4K": 4096}
MAX_REFERENCES = 14
MAX_IMAGES = 15
AUTO_IMAGES = 3  # what "auto" makes when max_images is not given
SEED_MAX = 2147483647


def image_generation(body: Any, *, fault: str | None, media: MediaStore, ttl: int) -> Reply:
    request = _validate(body)
    width, height = request["size"]
    seed = request["seed"] if request["seed"] != -1 else secrets.randbelow(SEED_MAX)
    items: list[dict[str, Any]] = []
    for index in range(request["count"]):
        if fault == "image-item-error" and index == request["count"] - 1:
            error = {
                "code": "OutputImageSensitiveContentDetected",
                "message": "The generated image may contain sensitive content and was withheld.",
            }
            items.append({"error": error})
            continue
        spec = {
            "kind": "image",
            "prompt": request["prompt"],
            "width": width,
            "height": height,
            "seed": seed,
            "index": index,
            "count": request["count"],
        }
        name = media.register(spec)
        item: dict[str, Any] = {"size": f"{width}x{height}"}
        if request["response_format"] == "b64_json":
            path = media.ensure(name)
            assert path is not None
            item["b64_json"] = base64.b64encode(path.read_bytes()).decode()
        else:
            item["url"] = media.url(name, expires=int(time.time()) + ttl)
        items.append(item)
    made = sum(1 for item in items if "error" not in item)
    tokens = made * (width * height // 256)
    usage = {"generated_images": made, "output_tokens": tokens, "total_tokens": tokens}
    return json_reply(
        200,
        {"model": request["model"], "created": int(time.time()), "data": items, "usage": usage},
    )


def _validate(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise _invalid("The request body must be a JSON object.")
    model = body.get("model")
    if not isinstance(model, str) or not model.strip():
        raise _invalid("The parameter `model` is required.", code="MissingParameter")
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise _invalid("The parameter `prompt` is required.", code="MissingParameter")
    version_3 = "seedream-3" in model
    size = _size(body.get("size"), version_3)
    seed = body.get("seed", -1)
    if isinstance(seed, bool) or not isinstance(seed, int) or not -1 <= seed <= SEED_MAX:
        raise _invalid(f"The parameter `seed` must be an integer in [-1, {SEED_MAX}].")
    guidance = body.get("guidance_scale")
    # Only Seedream 3.0 takes guidance_scale; 4.x ignores it.
    if version_3 and guidance is not None and not _number_in(guidance, 1, 10):
        raise _invalid("The parameter `guidance_scale` must be a number in [1, 10].")
    if "watermark" in body and not isinstance(body["watermark"], bool):
        raise _invalid("The parameter `watermark` must be a boolean.")
    response_format = body.get("response_format", "url")
    if response_format not in ("url", "b64_json"):
        raise _invalid("The parameter `response_format` must be `url` or `b64_json`.")
    references = _references(body.get("image"))
    count = _count(body)
    if count > 1 and references + count > MAX_IMAGES:
        raise _invalid(
            f"Reference images plus generated images must not exceed {MAX_IMAGES} "
            f"(got {references} + {count})."
        )
    return {
        "model": model,
        "prompt": prompt,
        "size": size,
        "seed": seed,
        "response_format": response_format,
        "count": count,
    }


def _size(value: Any, version_3: bool) -> tuple[int, int]:
    if value is None:
        return (1024, 1024) if version_3 else (2048, 2048)
    if not isinstance(value, str):
        raise _invalid("The parameter `size` must be a string such as `2K` or `2048x2048`.")
    if value in PRESETS:
        if version_3:
            raise _invalid(
                f"The parameter `size` specified in the request is not valid: {value} is not "
                "supported by Seedream 3.0; use WxH with each side in [512, 2048]."
            )
        return PRESETS[value], PRESETS[value]
    match = re.fullmatch(r"(\d{1,5})x(\d{1,5})", value)
    if not match:
        raise _invalid(
            f"The parameter `size` specified in the request is not valid: {value!r}; "
            "use `1K`, `2K`, `4K` or WxH such as `2048x2048`."
        )
    width, height = int(match.group(1)), int(match.group(2))
    if version_3:
        if not (512 <= width <= 2048 and 512 <= height <= 2048):
            raise _invalid(
                f"The parameter `size` specified in the request is not valid: {value}; "
                "Seedream 3.0 takes each side in [512, 2048]."
            )
    elif not (
        1280 * 720 <= width * height <= 4096 * 4096 and 1 / 16 <= width / max(1, height) <= 16
    ):
        raise _invalid(
            f"The parameter `size` specified in the request is not valid: {value}; total "
            "pixels must be in [1280x720, 4096x4096] and the aspect ratio in [1/16, 16]."
        )
    return width, height


def _references(value: Any) -> int:
    if value is None:
        return 0
    images = [value] if isinstance(value, str) else value
    if not isinstance(images, list) or not images or len(images) > MAX_REFERENCES:
        raise _invalid(
            f"The parameter `image` must be a URL or data URI, or a list of 1 to "
            f"{MAX_REFERENCES} of them."
        )
    for image in images:
        if not isinstance(image, str) or not re.match(
            r"(https?://\S+|data:image/[a-z]+;base64,)", image
        ):
            raise _invalid(
                "Each `image` must be an http(s) URL or a `data:image/<format>;base64,` URI."
            )
    return len(images)


def _count(body: dict[str, Any]) -> int:
    mode = body.get("sequential_image_generation", "disabled")
    if mode not in ("auto", "disabled"):
        raise _invalid("The parameter `sequential_image_generation` must be `auto` or `disabled`.")
    options = body.get("sequential_image_generation_options")
    if options is None:
        return AUTO_IMAGES if mode == "auto" else 1
    max_images = options.get("max_images", AUTO_IMAGES) if isinstance(options, dict) else None
    if (
        isinstance(max_images, bool)
        or not isinstance(max_images, int)
        or not 1 <= max_images <= MAX_IMAGES
    ):
        raise _invalid(
            "The parameter `sequential_image_generation_options.max_images` must be an "
            f"integer in [1, {MAX_IMAGES}]."
        )
    return max_images if mode == "auto" else 1


def _number_in(value: Any, low: float, high: float) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float) and low <= value <= high


def _invalid(message: str, *, code: str = "InvalidParameter") -> ApiError:
    return ApiError(ark_error(message, code=code))
