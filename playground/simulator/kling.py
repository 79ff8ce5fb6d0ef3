"""Kling video tasks through the gateway: create, query, and callbacks on each state change.

Bad parameters answer Kling's own `{"code": 1201, "message": ..., "request_id": ...}` (HTTP 400).
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import re
import secrets
import time
import urllib.parse
import urllib.request
from typing import Any

from PIL import Image

from playground.simulator.clock import QUEUED_SHARE, Moment, moment
from playground.simulator.config import Config
from playground.simulator.media import MediaStore, video_spec
from playground.simulator.replies import (
    ApiError,
    Reply,
    json_reply,
    kling_error,
    request_id,
    task_error,
)
from playground.simulator.state import State, Task

TEXT_MODELS = (
    "kling-v1",
    "kling-v1-6",
    "kling-v2-master",
    "kling-v2-1-master",
    "kling-v2-5-turbo",
    "kling-v2-6",
    "kling-v3",
)
IMAGE_MODELS = (*TEXT_MODELS[:2], "kling-v1-5", *TEXT_MODELS[2:], "kling-v2-1")
MODELS = {
    "text2video": TEXT_MODELS,
    "image2video": IMAGE_MODELS,
    "multi-image2video": ("kling-v1-6",),
}
ACTIONS = tuple(MODELS)
ASPECT_RATIOS = ("16:9", "9:16", "1:1")
CAMERA_TYPES = ("simple", "down_back", "forward_up", "right_turn_forward", "left_turn_forward")
CAMERA_AXES = ("horizontal", "vertical", "pan", "tilt", "roll", "zoom")
PROMPT_LIMIT = 2500
IMAGE_BYTES_LIMIT = 10 * 1024 * 1024
FAILURE = "Failure to pass the risk control system: the generated video was withheld."
CALLBACK_TIMEOUT = 3


def kling_create(
    action: str,
    body: Any,
    *,
    fault: str | None,
    state: State,
    media: MediaStore,
    config: Config,
) -> Reply:
    request = _validate(action, body, state)
    now = time.time()
    duration = int(request["duration"])
    task = Task(
        id=str(10**17 + secrets.randbelow(9 * 10**17)),
        provider="kling",
        action=action,
        model=request["model_name"],
        prompt=request["prompt"] or "image to video",
        ratio=request["aspect_ratio"],
        duration=duration,
        submitted_at=now,
        clock=config["video_seconds"],
        media=media.register(
            video_spec(
                request["prompt"] or "image to video",
                request["aspect_ratio"],
                duration,
                config["video_pad_bytes"],
                shared=config["video_shared_render"],
            )
        ),
        fault=fault if fault in ("task-failure", "task-not-exist") else None,
        callback_url=request.get("callback_url"),
        external_task_id=request.get("external_task_id"),
    )
    if not state.add_task(task):  # another create took the external_task_id meanwhile
        raise _external_id_taken(str(task.external_task_id))
    if task.callback_url:
        _schedule_callback(task, 0, state, media)
    if config["kling_create_shape"] == "kling":
        ms = int(now * 1000)
        data = {
            "task_id": task.id,
            "task_status": "submitted",
            "task_info": _task_info(task),
            "created_at": ms,
            "updated_at": ms,
        }
        return json_reply(
            200, {"code": 0, "message": "SUCCEED", "request_id": request_id(), "data": data}
        )
    answer = {
        "id": task.id,
        "task_id": task.id,
        "object": "video",
        "model": task.model,
        "status": "submitted",
        "progress": 0,
        "created_at": int(now),
    }
    return json_reply(200, answer)


def kling_query(
    task_id: str, *, fault: str | None, state: State, media: MediaStore, config: Config
) -> Reply:
    task = state.task(task_id, "kling")
    if task is None or "task-not-exist" in (task.fault, fault):
        return task_error(config["task_not_exist_status"], "task_not_exist", "task_not_exist")
    now = moment(task, fail_now=fault == "task-failure")
    if now.phase == "done" and not now.failed:
        media.prerender(task.media)
    kling = {
        "code": 0,
        "message": "SUCCEED",
        "request_id": request_id(),
        "data": kling_data(task, now, media, config),
    }
    if config["kling_query_shape"] == "kling":
        return json_reply(200, kling)
    status = {"queued": "SUBMITTED", "running": "PROCESSING"}.get(now.phase, "")
    if now.phase == "running" and now.fraction >= 0.5:
        status = "IN_PROGRESS"  # both words are seen from the gateway while a task runs
    if now.phase == "done":
        status = "FAILURE" if now.failed else "SUCCESS"
    data = {
        "task_id": task.id,
        "action": task.action,
        "status": status,
        "fail_reason": FAILURE if now.failed else "",
        "submit_time": int(task.submitted_at),
        "start_time": int(now.start_time),
        "finish_time": int(now.finish_time),
        "progress": f"{now.percent}%",
        "data": kling,
    }
    return json_reply(200, {"code": "success", "message": "", "data": data})


def kling_data(task: Task, now: Moment, media: MediaStore, config: Config) -> dict[str, Any]:
    """Kling's task object: what a query wraps and what a callback posts."""
    status = {"queued": "submitted", "running": "processing"}.get(now.phase)
    data: dict[str, Any] = {
        "task_id": task.id,
        "task_status": status or ("failed" if now.failed else "succeed"),
        "task_status_msg": FAILURE if now.failed else "",
        "task_info": _task_info(task),
        "created_at": int(task.submitted_at * 1000),
        "updated_at": int(now.updated_at * 1000),
    }
    if data["task_status"] == "succeed":
        expires = int(now.finish_time) + config["media_ttl_seconds"]
        video = {
            "id": f"{task.id}-0",
            "url": media.url(task.media, expires=expires),
            # Kling renders 24 fps plus one frame: "5" becomes "5.041".
            "duration": f"{int((task.duration + 1 / 24) * 1000) / 1000:.3f}",
        }
        data["task_result"] = {"videos": [video]}
    return data


def _task_info(task: Task) -> dict[str, Any]:
    return {"external_task_id": task.external_task_id} if task.external_task_id else {}


CALLBACK_SHARES = (0.0, QUEUED_SHARE, 1.0)  # submitted, processing, the end


def _schedule_callback(task: Task, stage: int, state: State, media: MediaStore) -> None:
    """Queues the POST of Kling's task object for `stage` on the state's one scheduler.

    Each stage is scheduled once the previous POST is done, so a task's callbacks arrive in
    order; a reset cancels what is pending.
    """
    due = task.submitted_at + task.clock * CALLBACK_SHARES[stage] + (0.01 if stage else 0)
    state.scheduler.at(due, lambda: _deliver_callback(task, stage, due, state, media))


def _deliver_callback(task: Task, stage: int, due: float, state: State, media: MediaStore) -> None:
    if state.task(task.id, "kling") is not task:
        return  # the simulator was reset; this task is gone
    # The task as it was when this stage began: a late POST still reports its own change.
    data = kling_data(task, moment(task, at=due), media, state.config())
    if data["task_status"] == "succeed":
        media.prerender(task.media)
    request = urllib.request.Request(  # noqa: S310 - http(s) only, checked at create
        str(task.callback_url),
        data=json.dumps(data).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=CALLBACK_TIMEOUT):  # noqa: S310
            pass
    except Exception as error:  # best effort, like Kling's own callbacks
        host = urllib.parse.urlsplit(str(task.callback_url)).netloc
        print(f"callback to {host} failed: {error}", flush=True)
    if stage + 1 < len(CALLBACK_SHARES):
        _schedule_callback(task, stage + 1, state, media)


# -- validation ------------------------------------------------------------------------------


def _validate(action: str, body: Any, state: State) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise _invalid("request body must be a JSON object")
    default_model = "kling-v1-6" if action == "multi-image2video" else "kling-v1"
    model = body.get("model_name", default_model)
    if model not in MODELS[action]:
        raise _invalid(
            f"model_name {model!r} is not supported by {action}; "
            f"use one of {', '.join(MODELS[action])}"
        )
    prompt = _text(body, "prompt", required=action != "image2video")
    _text(body, "negative_prompt", required=False)
    duration = body.get("duration", "5")
    if duration not in ("5", "10"):
        raise _invalid(f'duration must be the string "5" or "10"; got {json.dumps(duration)}')
    mode = body.get("mode", "std")
    if mode not in ("std", "pro"):
        raise _invalid(f"mode must be std or pro; got {mode!r}")
    aspect_ratio = "16:9"
    if action != "image2video":
        aspect_ratio = body.get("aspect_ratio", "16:9")
        if aspect_ratio not in ASPECT_RATIOS:
            raise _invalid(
                f"aspect_ratio must be one of {', '.join(ASPECT_RATIOS)}; got {aspect_ratio!r}"
            )
    if action == "multi-image2video":
        _image_list(body.get("image_list"))
    else:
        _cfg_scale(body, model)
        _camera_control(body.get("camera_control"))
    if action == "image2video":
        _image2video(body)
    callback_url = body.get("callback_url")
    if callback_url is not None and (
        not isinstance(callback_url, str) or not re.match(r"https?://\S+$", callback_url)
    ):
        raise _invalid("callback_url must be an http(s) URL")
    external = body.get("external_task_id")
    if external is not None:
        if not isinstance(external, str) or not external:
            raise _invalid("external_task_id must be a non-empty string")
        if state.external_id_taken(external):
            raise _external_id_taken(external)
    return {
        "model_name": model,
        "prompt": prompt,
        "duration": duration,
        "aspect_ratio": aspect_ratio,
        "callback_url": callback_url,
        "external_task_id": external,
    }


def _text(body: dict[str, Any], name: str, *, required: bool) -> str:
    value = body.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise _invalid(
            f"{name} is required and must be a string" if required else f"{name} must be a string"
        )
    if len(value) > PROMPT_LIMIT:
        raise _invalid(f"{name} must be at most {PROMPT_LIMIT} characters; got {len(value)}")
    return value


def _cfg_scale(body: dict[str, Any], model: str) -> None:
    value = body.get("cfg_scale")
    if value is None:
        return
    if model.startswith("kling-v2"):
        raise _invalid(f"cfg_scale is not supported by {model}")
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise _invalid(f"cfg_scale must be a number in [0, 1]; got {value!r}")


def _camera_control(control: Any) -> None:
    if control is None:
        return
    if not isinstance(control, dict) or control.get("type") not in CAMERA_TYPES:
        raise _invalid(f"camera_control.type must be one of {', '.join(CAMERA_TYPES)}")
    config = control.get("config")
    if control["type"] != "simple":
        if config is not None:
            raise _invalid("camera_control.config is only allowed when type is simple")
        return
    if not isinstance(config, dict) or set(config) - set(CAMERA_AXES):
        raise _invalid(f"camera_control.config must be an object of {', '.join(CAMERA_AXES)}")
    values = list(config.values())
    if any(
        isinstance(v, bool) or not isinstance(v, int | float) or not -10 <= v <= 10 for v in values
    ):
        raise _invalid("each camera_control.config value must be a number in [-10, 10]")
    if sum(1 for v in values if v != 0) != 1:
        raise _invalid("camera_control.config must have exactly one non-zero value")


def _image2video(body: dict[str, Any]) -> None:
    image, tail = body.get("image"), body.get("image_tail")
    if not image and not tail:
        raise _invalid("image or image_tail is required")
    for name in ("image", "image_tail"):
        if body.get(name):
            _image(body[name], name)
    masks = body.get("static_mask") is not None or body.get("dynamic_masks") is not None
    chosen = [bool(tail), masks, body.get("camera_control") is not None]
    if sum(chosen) > 1:
        raise _invalid(
            "image_tail, static_mask/dynamic_masks and camera_control exclude each other"
        )
    if body.get("static_mask") is not None:
        _image(body["static_mask"], "static_mask")
    dynamic = body.get("dynamic_masks")
    if dynamic is not None and (not isinstance(dynamic, list) or not dynamic):
        raise _invalid("dynamic_masks must be a non-empty list")


def _image_list(images: Any) -> None:
    if not isinstance(images, list) or not 1 <= len(images) <= 4:
        raise _invalid("image_list is required and must hold 1 to 4 items")
    for i, item in enumerate(images):
        if not isinstance(item, dict) or not item.get("image"):
            raise _invalid(f'image_list[{i}] must be an object with an "image"')
        _image(item["image"], f"image_list[{i}].image")


def _image(value: Any, name: str) -> None:
    """A URL, or raw base64 of a jpg/png of at least 300 px and aspect 1:2.5..2.5:1."""
    if not isinstance(value, str):
        raise _invalid(f"{name} must be a URL or base64 string")
    if re.match(r"https?://\S+$", value):
        return
    if value.startswith("data:"):
        raise _invalid(f"{name} must be raw base64 without a data: prefix")
    try:
        data = base64.b64decode(value, validate=True)
        with Image.open(io.BytesIO(data)) as picture:
            kind, (width, height) = picture.format, picture.size
    except (binascii.Error, ValueError, OSError):
        raise _invalid(f"{name} is neither an http(s) URL nor a base64 jpg/png") from None
    if kind not in ("JPEG", "PNG"):
        raise _invalid(f"{name} must be a jpg or png image; got {kind}")
    if len(data) > IMAGE_BYTES_LIMIT:
        raise _invalid(f"{name} must be at most 10 MB")
    if min(width, height) < 300 or not 1 / 2.5 <= width / height <= 2.5:
        raise _invalid(f"{name} must be at least 300 px per side with aspect 1:2.5 to 2.5:1")


def _external_id_taken(external: str) -> ApiError:
    return _invalid(f"external_task_id {external!r} is already used by another task")


def _invalid(message: str) -> ApiError:
    return ApiError(kling_error(400, 1201, message))
