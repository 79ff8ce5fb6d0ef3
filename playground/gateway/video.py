"""Video jobs (Seedance and Kling): the requests as each wants them, and their tasks' states.

Every create and query shape in docs/upstream-api.md comes out as one VideoTask.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_noop

from playground.gateway.errors import GatewayOutcomeUnknownError, GatewayProtocolError
from playground.gateway.media import ImageSource
from playground.gateway.transport import (
    JSON,
    error_from_body,
    protocol_error,
    redact,
    unconfirmed_because,
)

# What a video create's error says when nothing confirmed it.
UNCONFIRMED = gettext_noop(
    "The gateway did not confirm the video job: it may have started upstream. Check before "
    "running it again."
)


class TaskState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"

    @property
    def is_final(self) -> bool:
        return self in (TaskState.SUCCEEDED, TaskState.FAILED)


@dataclass(frozen=True)
class VideoTask:
    """A video task as the gateway reports it, at submission or on a poll."""

    task_id: str
    state: TaskState
    progress: int  # 0..100
    video_url: str | None = None
    fail_reason: str | None = None
    upstream_status: str = ""  # the status word the gateway used, for the record
    finished_at: float | None = None  # unix seconds, from the gateway envelope's finish_time


class KlingAction(enum.StrEnum):
    TEXT2VIDEO = "text2video"
    IMAGE2VIDEO = "image2video"
    MULTI_IMAGE2VIDEO = "multi-image2video"


# -- Requests ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeedanceRequest:
    model: str
    prompt: str
    first_frame: ImageSource | None = None
    last_frame: ImageSource | None = None
    reference_images: tuple[ImageSource, ...] = ()
    ratio: str | None = None
    resolution: str | None = None
    duration: int | None = None
    seed: int | None = None
    camera_fixed: bool | None = None
    watermark: bool | None = None

    def to_json(self, *, record: bool = False) -> dict[str, Any]:
        """The Ark body; images as URLs or data URIs, or with `record` as URL or reference."""
        content: list[dict[str, Any]] = [{"type": "text", "text": self.prompt}]
        roles = [("first_frame", self.first_frame), ("last_frame", self.last_frame)]
        roles += [("reference_image", image) for image in self.reference_images]
        for role, image in roles:
            if image is not None:
                url = image.record() if record else image.wire(data_uri=True)
                content.append({"type": "image_url", "image_url": {"url": url}, "role": role})
        body: dict[str, Any] = {"model": self.model, "content": content}
        optional = {
            "ratio": self.ratio,
            "resolution": self.resolution,
            "duration": self.duration,
            "seed": self.seed,
            "camera_fixed": self.camera_fixed,
            "watermark": self.watermark,
        }
        body.update({name: value for name, value in optional.items() if value is not None})
        return body


@dataclass(frozen=True)
class CameraControl:
    type: str  # simple | down_back | forward_up | right_turn_forward | left_turn_forward
    config: dict[str, float] | None = None  # only for "simple": horizontal, vertical, pan, ...


@dataclass(frozen=True)
class DynamicMask:
    mask: ImageSource
    trajectories: tuple[tuple[int, int], ...]


EMPTY: tuple[Any, ...] = (None, "", [])


@dataclass(frozen=True)
class KlingRequest:
    action: KlingAction
    model_name: str
    prompt: str = ""
    negative_prompt: str = ""
    cfg_scale: float | None = None
    mode: str | None = None
    aspect_ratio: str | None = None
    duration: int | None = None  # 5 or 10; sent as the string "5" / "10"
    camera_control: CameraControl | None = None
    image: ImageSource | None = None
    image_tail: ImageSource | None = None
    static_mask: ImageSource | None = None
    dynamic_masks: tuple[DynamicMask, ...] = ()
    image_list: tuple[ImageSource, ...] = ()
    callback_url: str | None = None
    external_task_id: str | None = None

    def to_json(self, *, record: bool = False) -> dict[str, Any]:
        """Kling's own body: images as URLs or raw base64 (no data: prefix), or with `record`
        as URL or reference; empty fields left out."""

        def image(source: ImageSource) -> str:
            return source.record() if record else source.wire(data_uri=False)

        body: dict[str, Any] = {"model_name": self.model_name}
        optional: dict[str, Any] = {
            "prompt": self.prompt,
            "negative_prompt": self.negative_prompt,
            "cfg_scale": self.cfg_scale,
            "mode": self.mode,
            # image2video takes its aspect ratio from the image.
            "aspect_ratio": None if self.action is KlingAction.IMAGE2VIDEO else self.aspect_ratio,
            "duration": None if self.duration is None else str(self.duration),
            "camera_control": _camera(self.camera_control),
            "image": image(self.image) if self.image else None,
            "image_tail": image(self.image_tail) if self.image_tail else None,
            "static_mask": image(self.static_mask) if self.static_mask else None,
            "dynamic_masks": [
                {
                    "mask": image(mask.mask),
                    "trajectories": [{"x": x, "y": y} for x, y in mask.trajectories],
                }
                for mask in self.dynamic_masks
            ],
            "image_list": [{"image": image(source)} for source in self.image_list],
            "callback_url": self.callback_url,
            "external_task_id": self.external_task_id,
        }
        body.update(
            {name: value for name, value in optional.items() if value not in (None, "", [])}
        )
        return body


def _camera(control: CameraControl | None) -> dict[str, Any] | None:
    if control is None:
        return None
    camera: dict[str, Any] = {"type": control.type}
    if control.config is not None:
        camera["config"] = dict(control.config)
    return camera


# -- Answers ----------------------------------------------------------------------------------

# Gateway, Ark and Kling status words, lower-cased, onto one life cycle.
STATES: dict[str, TaskState] = {
    "": TaskState.QUEUED,
    "not_start": TaskState.QUEUED,
    "submitted": TaskState.QUEUED,
    "queued": TaskState.QUEUED,
    "unknown": TaskState.QUEUED,
    "processing": TaskState.RUNNING,
    "in_progress": TaskState.RUNNING,
    "running": TaskState.RUNNING,
    "success": TaskState.SUCCEEDED,
    "succeeded": TaskState.SUCCEEDED,
    "succeed": TaskState.SUCCEEDED,
    "failure": TaskState.FAILED,
    "failed": TaskState.FAILED,
    "cancelled": TaskState.FAILED,
    "expired": TaskState.FAILED,
}


def task_from_create(body: JSON) -> VideoTask:
    """The flat gateway answer ({id, task_id, status}) or Kling's envelope ({code: 0, data}).

    The job was accepted by then, so an answer this client cannot read is an unknown outcome,
    not something to submit again."""
    if body.get("code") == 0 and isinstance(body.get("data"), dict):
        data = body["data"]
        task_id, status = data.get("task_id"), data.get("task_status")
    else:
        task_id, status = body.get("task_id") or body.get("id"), body.get("status")
    if not task_id:
        raise GatewayOutcomeUnknownError(
            unconfirmed_because(UNCONFIRMED, gettext_noop("The answer had no task id."))
        )
    try:
        return _task(str(task_id), status, progress=body.get("progress"))
    except GatewayProtocolError as error:
        raise GatewayOutcomeUnknownError(unconfirmed_because(UNCONFIRMED, error.message)) from None


def task_from_query(body: JSON, task_id: str) -> VideoTask:
    """The gateway envelope (around Ark or Kling), raw Ark, or raw Kling, onto one VideoTask."""
    if body.get("code") == "success" and isinstance(body.get("data"), dict):
        envelope = body["data"]
        inner = envelope.get("data") if isinstance(envelope.get("data"), dict) else {}
        task = _task(
            str(envelope.get("task_id") or task_id),
            envelope.get("status"),
            progress=envelope.get("progress"),
            video_url=envelope.get("result_url") or _inner_video_url(inner),
            fail_reason=envelope.get("fail_reason") or _inner_fail_reason(inner),
            finished_at=envelope.get("finish_time"),
        )
    elif body.get("code") == 0 and isinstance(body.get("data"), dict):
        data = body["data"]
        task = _task(
            str(data.get("task_id") or task_id),
            data.get("task_status"),
            video_url=_inner_video_url(body),
            fail_reason=data.get("task_status_msg"),
        )
    elif "status" in body and ("content" in body or "error" in body or "model" in body):
        task = _task(
            str(body.get("id") or task_id),
            body.get("status"),
            video_url=_inner_video_url(body),
            fail_reason=_inner_fail_reason(body),
        )
    elif isinstance(body.get("code"), str):
        raise error_from_body(body, 200)
    else:
        raise protocol_error(
            gettext_noop(
                "The gateway answered the task query with a shape this playground does not know."
            )
        )
    if task.state is TaskState.SUCCEEDED and not task.video_url:
        raise protocol_error(
            gettext_noop("The gateway said the video is ready but gave no video URL.")
        )
    return task


def callback_looks_final(body: bytes) -> bool:
    """Whether a Kling callback's body (its `data` object, or that inside an envelope) says
    the task ended. Only a hint to poll now: never trusted for the state, never raises."""
    try:
        data = json.loads(body)
    except ValueError:
        return False
    for _ in range(3):  # Kling's data object, or one or two envelopes around it
        if not isinstance(data, dict):
            return False
        word = data.get("task_status") or data.get("status")
        if isinstance(word, str) and word:
            state = STATES.get(word.lower())
            return state is not None and state.is_final
        data = data.get("data")
    return False


def _task(
    task_id: str,
    status: Any,
    *,
    progress: Any = None,
    video_url: Any = None,
    fail_reason: Any = None,
    finished_at: Any = None,
) -> VideoTask:
    word = str(status or "")
    state = STATES.get(word.lower())
    if state is None:
        raise protocol_error(
            gettext_noop(
                "The gateway reported a task status this playground does not know: %(upstream)s."
            )
            % {"upstream": repr(word[:40])}
        )
    if state is TaskState.SUCCEEDED:
        percent, reason = 100, None  # Some versions copy the result URL into fail_reason.
    else:
        percent = _percent(progress)
        reason = None
        if state is TaskState.FAILED:
            upstream = redact(str(fail_reason or "")).strip()
            # Our sentence, with the provider's own words after it, as they came.
            reason = (
                gettext_noop("The provider rejected the job: %(upstream)s.")
                % {"upstream": upstream.rstrip(".")}
                if upstream
                else {
                    "cancelled": gettext_noop("The task was cancelled upstream."),
                    "expired": gettext_noop("The task expired upstream before it finished."),
                }.get(word.lower(), gettext_noop("The provider gave no reason."))
            )
    return VideoTask(
        task_id=task_id,
        state=state,
        progress=percent,
        video_url=str(video_url) if video_url else None,
        fail_reason=reason,
        upstream_status=word,
        finished_at=_seconds(finished_at),
    )


def _inner_video_url(inner: JSON) -> str | None:
    content = inner.get("content")
    if isinstance(content, dict) and content.get("video_url"):
        return str(content["video_url"])
    kling: JSON = inner["data"] if isinstance(inner.get("data"), dict) else {}
    videos = (kling.get("task_result") or {}).get("videos") or []
    if videos and isinstance(videos[0], dict) and videos[0].get("url"):
        return str(videos[0]["url"])
    return None


def _inner_fail_reason(inner: JSON) -> str | None:
    error = inner.get("error")
    if isinstance(error, dict) and error.get("message"):
        return f"{error['message']} ({error.get('code') or 'error'})"
    kling: JSON = inner["data"] if isinstance(inner.get("data"), dict) else {}
    return kling.get("task_status_msg") or None


def _percent(value: Any) -> int:
    try:
        number = float(str(value or 0).strip().rstrip("%"))
    except ValueError:
        return 0
    return max(0, min(100, int(number)))


def _seconds(value: Any) -> float | None:
    """A unix time in seconds, or None for absent, zero or unreadable."""
    if isinstance(value, bool):
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    return seconds if seconds > 0 else None
