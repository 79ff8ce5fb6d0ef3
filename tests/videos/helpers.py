from __future__ import annotations

import hashlib
from typing import Any

import requests

from playground.videos.models import VideoJob
from tests.conftest import Simulator
from tests.workers import wait_until


def wait_final(jobs: list[VideoJob], *, timeout: float = 30) -> list[VideoJob]:
    def all_final() -> bool:
        for job in jobs:
            job.refresh_from_db()
        return all(job.is_final for job in jobs)

    try:
        wait_until(all_final, timeout=timeout)
    except AssertionError:
        states = {str(job.id)[:8]: (job.state, job.notice, job.fail_reason) for job in jobs}
        raise AssertionError(f"jobs not final after {timeout} s: {states}") from None
    return jobs


def sim_log(sim: Simulator) -> list[dict[str, Any]]:
    return list(requests.get(f"{sim.url}/_sim/requests", timeout=5).json())


def sim_stats(sim: Simulator) -> dict[str, Any]:
    return dict(requests.get(f"{sim.url}/_sim/stats", timeout=5).json())


def same_request(recorded: Any, sent: Any) -> bool:
    """The recorded body is the body sent, except that images appear as references
    (`upload:<id>`) where base64 was sent."""
    if isinstance(recorded, str) and recorded.startswith("upload:"):
        return isinstance(sent, str) and len(sent) > 100
    if isinstance(recorded, dict):
        return (
            isinstance(sent, dict)
            and recorded.keys() == sent.keys()
            and all(same_request(recorded[key], sent[key]) for key in recorded)
        )
    if isinstance(recorded, list):
        return (
            isinstance(sent, list)
            and len(recorded) == len(sent)
            and all(same_request(a, b) for a, b in zip(recorded, sent, strict=True))
        )
    return bool(recorded == sent)


def assert_archived(job: VideoJob) -> None:
    assert job.state == VideoJob.State.SUCCEEDED, (job.state, job.fail_reason)
    with job.video.open("rb") as file:
        data = file.read()
    assert data[4:8] == b"ftyp"
    assert len(data) == job.video_size
    assert hashlib.sha256(data).hexdigest() == job.video_sha256
    assert job.poster
    with job.poster.open("rb") as file:
        assert file.read(2) == b"\xff\xd8"  # a JPEG
