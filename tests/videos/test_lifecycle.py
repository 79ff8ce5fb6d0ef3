"""Each of the five actions, end to end: a real worker submits, polls and archives, against the
simulator under each of its response shapes."""

from __future__ import annotations

from typing import Any

import pytest

from playground.accounts.models import User
from playground.uploads.models import Upload
from playground.videos.build import image_ref
from playground.videos.models import VideoJob
from playground.videos.services import video_job_create
from tests.conftest import Simulator
from tests.videos.conftest import stored_image
from tests.videos.helpers import assert_archived, same_request, sim_log, wait_final
from tests.workers import Celery

SEEDANCE_MODEL = "doubao-seedance-1-0-pro-250528"


def ref(upload: Upload) -> dict[str, str]:
    return image_ref(upload_id=str(upload.id))


def five_jobs(user: User, tag: str) -> list[VideoJob]:
    first = stored_image(user, color="navy")
    last = stored_image(user, color="orange")
    second = stored_image(user, color="olive", width=400, height=400)
    specs: list[tuple[str, dict[str, Any]]] = [
        (
            "seedance",
            {
                "model": SEEDANCE_MODEL,
                "prompt": f"{tag} a cat at a piano",
                "duration": 2,
                "ratio": "16:9",
                "resolution": "480p",
                "seed": 7,
                "watermark": False,
            },
        ),
        (
            "seedance",
            {
                "model": SEEDANCE_MODEL,
                "prompt": f"{tag} dawn to dusk",
                "duration": 3,
                "first_frame": ref(first),
                "last_frame": ref(last),
                "camera_fixed": True,
            },
        ),
        (
            "text2video",
            {
                "model_name": "kling-v1-6",
                "prompt": f"{tag} a fox in snow",
                "negative_prompt": "blur",
                "mode": "std",
                "duration": 5,
                "aspect_ratio": "9:16",
                "cfg_scale": 0.5,
                "camera_control": {
                    "type": "simple",
                    "config": {
                        "horizontal": 0,
                        "vertical": 0,
                        "pan": 5,
                        "tilt": 0,
                        "roll": 0,
                        "zoom": 0,
                    },
                },
            },
        ),
        (
            "image2video",
            {
                "model_name": "kling-v1-6",
                "prompt": f"{tag} the boat sails",
                "duration": 5,
                "image": ref(first),
                "image_tail": ref(last),
            },
        ),
        (
            "multi-image2video",
            {
                "model_name": "kling-v1-6",
                "prompt": f"{tag} two friends",
                "duration": 5,
                "aspect_ratio": "1:1",
                "image_list": [ref(first), ref(second)],
            },
        ),
    ]
    return [video_job_create(user=user, action=action, params=params) for action, params in specs]


SHAPES: list[dict[str, Any]] = [
    {},
    {
        "seedance_create_shape": "empty-status",
        "seedance_id_prefix": "asyntask_",
        "kling_create_shape": "kling",
        "kling_query_shape": "kling",
    },
    {
        "seedance_create_shape": "processing",
        "seedance_id_prefix": "gen-",
        "seedance_query_shape": "ark",
        "kling_query_paths": "action",
    },
    {
        "seedance_create_shape": "id-only",
        "seedance_success_quirk": True,
        "kling_query_paths": "short",
    },
]


@pytest.mark.parametrize(
    "shape", SHAPES, ids=lambda s: ",".join(f"{k}={v}" for k, v in s.items()) or "defaults"
)
def test_every_action_ends_with_an_archived_playable_mp4(
    e2e: Celery, sim: Simulator, user: User, shape: dict[str, Any]
) -> None:
    sim.configure(**shape)
    jobs = wait_final(five_jobs(user, "e2e"), timeout=40)
    for job in jobs:
        assert_archived(job)
        assert job.upstream_task_id
        assert job.progress == 100
    creates = [e for e in sim_log(sim) if e["route"] in ("seedance.create", "kling.create")]
    assert len(creates) == len(jobs)
    for job in jobs:
        sent = [e["body"] for e in creates if job.prompt in str(e["body"])]
        assert len(sent) == 1, job.prompt
        assert same_request(job.request_body, sent[0]), (job.request_body, sent[0])


def test_kling_jobs_carry_their_id_and_a_callback_url(
    e2e: Celery, sim: Simulator, user: User
) -> None:
    job = video_job_create(
        user=user, action="text2video", params={"model_name": "kling-v1", "prompt": "a kite"}
    )
    wait_final([job])
    assert job.request_body["external_task_id"] == str(job.id)
    assert job.request_body["callback_url"].endswith(f"/videos/callback/{job.callback_token}/")
    callbacks = [e for e in sim_log(sim) if e["route"] == "kling.query"]
    assert callbacks  # polled, not trusted from the callback body
