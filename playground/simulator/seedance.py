"""Seedance video tasks: POST /v1/video/generations and GET /v1/video/generations/{id}.

Bad parameters answer the task envelope `{"code": "task_failed", "message": <Ark's message>,
"data": null}` with HTTP 400, as the gateway does when the provider rejects a task.
"""

from __future__ import annotations

import re
import secrets
import string
import time
from typing import Any

from playground.simulator.clock import Moment, moment
from playground.simulator.config import Config
from playground.simulator.media import MediaStore, video_size, video_spec
from playground.simulator.replies import ApiError, Reply, json_reply, task_error
from playground.simulator.state import State, Task

SEEDANCE_MODELS = (
    "doubao-seedance-1-0-pro-250528",
    "doubao-seedance-1-0-pro-fast-251015",
    "doubao-seedance-1-0-lite-t2v-250428",
    "doubao-seedance-1-0-lite-i2v-250428",
    "doubao-seedance-1-5-pro-251215",
    "doubao-seedance-2-0-260128",
)
RATIOS = ("16:9", "4:3", "1:1", "3:4", "9:16", "21:9", "adaptive")
RESOLUTIONS = ("480p", "720p", "1080p")
ROLES = ("first_frame", "last_frame", "reference_image")
FLAGS = {
    "resolution": "resolution",
    "rs": "resolution",
    "ratio": "ratio",
    "rt": "ratio",
    "duration": "duration",
    "dur": "duration",
    "camerafixed": "camera_fixed",
    "cf": "camera_fixed",
    "seed": "seed",
    "watermark": "watermark",
    "wm": "watermark",
}
FLAG = re.compile(r"\s*--(\w+)\s+(\S+)")
FPS = 24
FAILURE = (
    "OutputVideoSensitiveContentDetected",
    "The generated video may contain sensitive content and was withheld; the charge is refunded.",
)
ALPHABET = string.ascii_lowercase + string.digits


def seedance_create(
    body: Any, *, fault: str | None, state: State, media: MediaStore, config: Config
) -> Reply:
    request = _validate(body)
    now = time.time()
    prompt = request["prompt"] or "image to video"
    task = Task(
        id=_task_id(config["seedance_id_prefix"], now),
        provider="seedance",
        action="generate",
        model=request["model"],
        prompt=prompt,
        ratio=request["ratio"],
        duration=request["duration"],
        submitted_at=now,
        clock=config["video_seconds"],
        media=media.register(
            video_spec(
                prompt,
                request["ratio"],
                request["duration"],
                config["video_pad_bytes"],
                shared=config["video_shared_render"],
            )
        ),
        params={"resolution": request["resolution"], "seed": request["seed"]},
        fault=fault if fault in ("task-failure", "task-not-exist") else None,
    )
    state.add_task(task)
    shape = config["seedance_create_shape"]
    answer: dict[str, Any] = {"id": task.id, "task_id": task.id}
    if shape == "id-only":
        del answer["task_id"]
    status = {"empty-status": "", "processing": "processing"}.get(shape, "queued")
    answer |= {
        "object": "video",
        "model": task.model,
        "status": status,
        "progress": 0,
        "created_at": int(now),
    }
    return json_reply(200, answer)


def seedance_query(
    task_id: str, *, fault: str | None, state: State, media: MediaStore, config: Config
) -> Reply:
    task = state.task(task_id, "seedance")
    if task is None or "task-not-exist" in (task.fault, fault):
        return task_error(config["task_not_exist_status"], "task_not_exist", "task_not_exist")
    now = moment(task, fail_now=fault == "task-failure")
    succeeded = now.phase == "done" and not now.failed
    video_url = ""
    if succeeded:
        media.prerender(task.media)
        video_url = media.url(
            task.media, expires=int(now.finish_time) + config["media_ttl_seconds"]
        )
    ark = _ark_task(task, now, video_url, media, config)
    if config["seedance_query_shape"] == "ark":
        return json_reply(200, ark)
    fail_reason = FAILURE[1] if now.failed else ""
    if succeeded and config["seedance_success_quirk"]:
        fail_reason = video_url
    data = {
        "task_id": task.id,
        "action": task.action,
        "status": _gateway_status(now),
        "result_url": video_url,
        "fail_reason": fail_reason,
        "submit_time": int(task.submitted_at),
        "start_time": int(now.start_time),
        "finish_time": int(now.finish_time),
        "progress": f"{now.percent}%",
        "data": ark,
    }
    return json_reply(200, {"code": "success", "message": "", "data": data})


def _gateway_status(now: Moment) -> str:
    if now.phase == "done":
        return "FAILURE" if now.failed else "SUCCESS"
    if now.phase == "running":
        return "IN_PROGRESS"
    # The gateway's own queue words, in the order a real task goes through them.
    if now.fraction < 0.02:
        return "NOT_START"
    return "SUBMITTED" if now.fraction < 0.06 else "QUEUED"


def _ark_task(
    task: Task, now: Moment, video_url: str, media: MediaStore, config: Config
) -> dict[str, Any]:
    status = {"queued": "queued", "running": "running"}.get(now.phase)
    ark: dict[str, Any] = {
        "id": task.id,
        "model": task.model,
        "status": status or ("failed" if now.failed else "succeeded"),
        "error": {"code": FAILURE[0], "message": FAILURE[1]} if now.failed else None,
        "created_at": int(task.submitted_at),
        "updated_at": int(now.updated_at),
        "seed": task.params["seed"],
        "resolution": task.params["resolution"],
        "ratio": "16:9" if task.ratio == "adaptive" else task.ratio,
        "duration": task.duration,
        "framespersecond": FPS,
    }
    if video_url:
        width, height = video_size(task.ratio)
        frame = media.register(
            {"kind": "image", "prompt": task.prompt, "width": width, "height": height, "seed": 0}
        )
        expires = int(now.finish_time) + config["media_ttl_seconds"]
        ark["content"] = {
            "video_url": video_url,
            "last_frame_url": media.url(frame, expires=expires),
        }
        tokens = _tokens(task)
        ark["usage"] = {"completion_tokens": tokens, "total_tokens": tokens}
    return ark


def _tokens(task: Task) -> int:
    """Ark bills width x height x frames / 1024 (720p 16:9, 5 s: 108900)."""
    short = int(task.params["resolution"].removesuffix("p"))
    w, h = video_size(task.ratio)
    width, height = (short * w // h, short) if w >= h else (short, short * h // w)
    return width * height * (FPS * task.duration + 1) // 1024


def _task_id(prefix: str, now: float) -> str:
    tail = "".join(secrets.choice(ALPHABET) for _ in range(24))
    if prefix == "cgt-":
        return f"cgt-{time.strftime('%Y%m%d%H%M%S', time.gmtime(now))}-{tail[:5]}"
    return f"{prefix}{tail}"


def _validate(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise _invalid("The request body must be a JSON object.")
    model = body.get("model")
    if not isinstance(model, str) or not model.strip():
        raise _invalid("The parameter `model` is required.")
    content = body.get("content")
    if not isinstance(content, list) or not content:
        raise _invalid("The parameter `content` must be a non-empty list.")
    texts = [
        item.get("text")
        for item in content
        if isinstance(item, dict) and item.get("type") == "text"
    ]
    images = [
        item for item in content if isinstance(item, dict) and item.get("type") == "image_url"
    ]
    if len(texts) + len(images) != len(content):
        raise _invalid("Each `content` item must be of type `text` or `image_url`.")
    if len(texts) > 1 or not all(isinstance(text, str) for text in texts):
        raise _invalid("`content` may hold one `text` item, whose `text` is a string.")
    _check_images(images)
    text = str(texts[0]) if texts else ""
    flags = {FLAGS[name]: value for name, value in FLAG.findall(text) if name in FLAGS}
    prompt = FLAG.sub("", text).strip()
    if not prompt and not images:
        raise _invalid("`content` needs a text prompt or an image.")
    # Top-level parameters win over flags in the text.
    params = {**{k: _from_flag(k, v) for k, v in flags.items()}, **_top_level(body)}
    ratio = params.get("ratio", "adaptive" if images else "16:9")
    if ratio not in RATIOS:
        raise _invalid(f"The parameter `ratio` must be one of {', '.join(RATIOS)}; got {ratio!r}.")
    resolution = params.get("resolution", "720p")
    if resolution not in RESOLUTIONS:
        raise _invalid(
            f"The parameter `resolution` must be one of {', '.join(RESOLUTIONS)}; "
            f"got {resolution!r}."
        )
    duration = params.get("duration", 5)
    if isinstance(duration, bool) or not isinstance(duration, int) or not 2 <= duration <= 12:
        raise _invalid(f"The parameter `duration` must be an integer in [2, 12]; got {duration!r}.")
    seed = params.get("seed", -1)
    if isinstance(seed, bool) or not isinstance(seed, int) or not -1 <= seed <= 2**32 - 1:
        raise _invalid(
            f"The parameter `seed` must be an integer in [-1, 4294967295]; got {seed!r}."
        )
    for name in ("camera_fixed", "watermark"):
        if name in params and not isinstance(params[name], bool):
            raise _invalid(f"The parameter `{name}` must be a boolean; got {params[name]!r}.")
    return {
        "model": model,
        "prompt": prompt,
        "ratio": ratio,
        "resolution": resolution,
        "duration": duration,
        "seed": seed if seed != -1 else secrets.randbelow(2**31),
    }


def _check_images(images: list[dict[str, Any]]) -> None:
    roles = []
    for item in images:
        image_url = item.get("image_url")
        url = image_url.get("url") if isinstance(image_url, dict) else None
        if not isinstance(url, str) or not re.match(
            r"(https?://\S+|data:image/[a-z]+;base64,)", url
        ):
            raise _invalid("Each `image_url.url` must be an http(s) URL or a data:image URI.")
        role = item.get("role", "first_frame" if len(images) == 1 else "reference_image")
        if role not in ROLES:
            raise _invalid(f"An image's `role` must be one of {', '.join(ROLES)}; got {role!r}.")
        roles.append(role)
    frames = [role for role in roles if role != "reference_image"]
    if roles.count("first_frame") > 1 or roles.count("last_frame") > 1:
        raise _invalid("Give at most one `first_frame` and one `last_frame` image.")
    if "last_frame" in roles and "first_frame" not in roles:
        raise _invalid("A `last_frame` image needs a `first_frame` image.")
    if frames and "reference_image" in roles:
        raise _invalid("`reference_image` images cannot be mixed with first or last frames.")
    if roles.count("reference_image") > 4:
        raise _invalid("Give at most 4 `reference_image` images.")


def _top_level(body: dict[str, Any]) -> dict[str, Any]:
    names = ("ratio", "resolution", "duration", "seed", "camera_fixed", "watermark")
    return {name: body[name] for name in names if name in body}


def _from_flag(name: str, value: str) -> Any:
    if name in ("duration", "seed"):
        return int(value) if re.fullmatch(r"-?\d+", value) else value
    if name in ("camera_fixed", "watermark"):
        return {"true": True, "false": False}.get(value.lower(), value)
    return value


def _invalid(message: str) -> ApiError:
    return ApiError(task_error(400, "task_failed", f"InvalidParameter: {message}"))
